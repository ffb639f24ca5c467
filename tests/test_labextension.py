"""The sidebar's build and its unit tests: the frontend tests (jest) run from here so that
`make test` runs them; the generated TypeScript types are those of the current OpenAPI
document; the installed JupyterLab finds the prebuilt extension."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LABEXT = ROOT / "labextension"
BUILT = ROOT / "jupyter_mlops" / "labextension"


def _jlpm() -> str:
    found = shutil.which("jlpm", path=str(Path(sys.executable).parent)) or shutil.which("jlpm")
    assert found, "jlpm comes with jupyterlab: install the test environment (make .venv/.installed)"
    return found


def _installed() -> None:
    """node_modules, installed from yarn.lock when missing (a wheel install built elsewhere)."""
    if not (LABEXT / "node_modules").is_dir():
        subprocess.run([_jlpm(), "install"], cwd=LABEXT, check=True, timeout=900)


def test_generated_types_match_the_openapi_document(tmp_path: Path) -> None:
    """src/api.gen.ts is what `jlpm generate:types` makes of the current document."""
    _installed()
    fresh = tmp_path / "api.gen.ts"
    node = shutil.which("node")
    assert node, "node 20 builds the extension; install it (see docs/sidebar.md)"
    done = subprocess.run([node, "scripts/generate-types.mjs", str(fresh)], cwd=LABEXT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHON": sys.executable})
    assert done.returncode == 0, done.stderr
    committed = (LABEXT / "src" / "api.gen.ts").read_text()
    assert committed == fresh.read_text(), (
        "labextension/src/api.gen.ts is out of date with the OpenAPI document: run "
        "`cd labextension && jlpm generate:types`, then fix what `jlpm build` reports")


def test_frontend_unit_tests() -> None:
    _installed()
    done = subprocess.run([_jlpm(), "test", "--ci"], cwd=LABEXT, capture_output=True,
                          text=True, timeout=600)
    print(done.stdout[-3000:], done.stderr[-3000:])
    assert done.returncode == 0
    assert re.search(r"Tests:\s+\d+ passed, \d+ total", done.stderr), done.stderr[-2000:]


def test_frontend_lint() -> None:
    """`jlpm lint:check`: prettier and eslint find nothing (`jlpm lint` fixes what they can)."""
    if not (LABEXT / "node_modules").is_dir():
        pytest.skip("labextension/node_modules is missing (a wheel install built elsewhere): "
                    "`cd labextension && jlpm install` to lint the sources")
    done = subprocess.run([_jlpm(), "lint:check"], cwd=LABEXT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:] + \
        "\n`cd labextension && jlpm lint` fixes formatting and what eslint can fix"


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
