"""The sidebar's build and its unit tests: the frontend tests (jest) run from here so that
`make test` runs them; the TypeScript types match the OpenAPI document; the installed
JupyterLab finds the prebuilt extension."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_mlops.server.endpoints import ENDPOINTS
from tests.conftest import ROOT

LABEXT = ROOT / "labextension"
BUILT = ROOT / "jupyter_mlops" / "labextension"

# TypeScript interface -> (endpoint path, JSON pointer to its object schema in the answer)
TYPES = {
    "Run": ("/runs", ["runs", "items"]),
    "RunPage": ("/runs", []),
    "RunDetail": ("/runs/{run_id}", []),
    "Cell": ("/runs/{run_id}/cells", ["cells", "items"]),
    "MetricPoint": ("/runs/{run_id}/metrics/{key}", ["history", "items"]),
    "Model": ("/models", ["models", "items"]),
    "ModelVersion": ("/models/{name}/versions", ["versions", "items"]),
    "LineageNode": ("/lineage", ["nodes", "items"]),
    "LineageEdge": ("/lineage", ["edges", "items"]),
    "DriftReport": ("/drift/reports", ["reports", "items"]),
    "DriftColumn": ("/drift/reports/{report_id}", ["columns", "items"]),
    "Job": ("/jobs", ["jobs", "items"]),
    "JobOutput": ("/jobs/{run_id}/output", []),
    "Schedule": ("/schedules", ["schedules", "items"]),
    "RunNow": ("/schedules/{name}/run", []),
    "Experiment": ("/experiments", ["experiments", "items"]),
}


def _jlpm() -> str:
    found = shutil.which("jlpm", path=str(Path(sys.executable).parent)) or shutil.which("jlpm")
    assert found, "jlpm comes with jupyterlab: install the test environment (make .venv/.installed)"
    return found


def _fields(interface: str) -> set[str]:
    source = (LABEXT / "src" / "types.ts").read_text()
    match = re.search(rf"export interface {interface}\b(?: extends (\w+))? \{{(.*?)\n\}}",
                      source, re.S)
    assert match, f"no interface {interface} in types.ts"
    fields = set(re.findall(r"^\s+(\w+)\??:", match.group(2), re.M))
    return fields | (_fields(match.group(1)) if match.group(1) else set())


@pytest.mark.parametrize("interface", sorted(TYPES))
def test_typescript_types_match_the_openapi_document(interface: str) -> None:
    path, pointer = TYPES[interface]
    (endpoint,) = [e for e in ENDPOINTS if e.path == path]
    schema = endpoint.response
    for step in pointer:
        schema = schema["properties"][step] if step != "items" else schema["items"]
    assert _fields(interface) == set(schema["properties"]), interface


def test_frontend_unit_tests() -> None:
    if not (LABEXT / "node_modules").is_dir():  # a wheel install built elsewhere
        subprocess.run([_jlpm(), "install"], cwd=LABEXT, check=True, timeout=900)
    done = subprocess.run([_jlpm(), "test", "--ci"], cwd=LABEXT, capture_output=True,
                          text=True, timeout=600)
    print(done.stdout[-3000:], done.stderr[-3000:])
    assert done.returncode == 0
    assert re.search(r"Tests:\s+\d+ passed, \d+ total", done.stderr), done.stderr[-2000:]


def test_the_extension_is_built_and_found_by_jupyterlab() -> None:
    import jupyter_mlops

    (path,) = jupyter_mlops._jupyter_labextension_paths()
    assert path == {"src": "labextension", "dest": "jupyter-mlops"}
    meta = json.loads((BUILT / "package.json").read_text())
    assert meta["name"] == "jupyter-mlops" and meta["version"] == jupyter_mlops.__version__
    assert (BUILT / "schemas" / "jupyter-mlops" / "plugin.json").is_file()
    size = sum(p.stat().st_size for p in (BUILT / "static").iterdir() if p.suffix != ".map")
    print(f"labextension static/: {size / 1024:.1f} KiB")
    assert size < 2 * 1024 * 1024
    exe = Path(sys.executable).parent / "jupyter"
    done = subprocess.run([str(exe), "labextension", "list"], capture_output=True, text=True,
                          timeout=120)
    assert re.search(r"jupyter-mlops v0\.1\.0 \S*enabled\S* \S*OK", done.stdout + done.stderr)
