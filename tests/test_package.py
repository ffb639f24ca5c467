"""Packaging promises: entry points, import cost, who may open the database, one version,
shipped types, and a documented public API."""

import importlib
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

from packaging.version import Version

from tests.conftest import ROOT, cli, run_python


def test_importing_the_package_does_not_import_duckdb_or_pandas():
    heavy = "('duckdb', 'pandas', 'numpy', 'ipywidgets', 'anywidget', 'plotly')"
    code = ("import sys, jupyter_mlops\n"
            f"print(sorted(m for m in {heavy} if m in sys.modules))")
    assert run_python(code).stdout.strip() == "[]"


def test_only_the_db_module_opens_duckdb():
    package = ROOT / "jupyter_mlops"
    opening = sorted(str(p.relative_to(package)) for p in package.rglob("*.py")
                     if re.search(r"duckdb\.connect\(", p.read_text()))
    assert opening == ["store/db.py"]


def test_jupyter_subcommand_and_help():
    done = cli("--help")
    assert done.returncode == 0
    for command in ("runs", "show", "cells", "ingest", "rebuild", "doctor"):
        assert re.search(rf"^\s+{command}\b", done.stdout, re.M), command


def test_extension_entry_points():
    import jupyter_mlops

    assert callable(jupyter_mlops.load_ipython_extension)
    assert callable(jupyter_mlops.unload_ipython_extension)
    for name in ("log_param", "log_params", "log_metric", "log_metrics"):
        assert callable(getattr(jupyter_mlops, name))
    assert Path(jupyter_mlops.__file__).parent == ROOT / "jupyter_mlops"
    (point,) = jupyter_mlops._jupyter_server_extension_points()
    assert point["app"].name == "jupyter_mlops"


def test_the_installed_server_loads_the_extension():
    exe = Path(sys.executable).parent / "jupyter"
    done = subprocess.run([str(exe), "server", "extension", "list"], capture_output=True,
                          text=True, timeout=120)
    assert re.search(r"jupyter_mlops \S*enabled", done.stdout + done.stderr)
    version = re.escape(_package_json_version())
    assert re.search(rf"jupyter_mlops {version} \S*OK", done.stdout + done.stderr)


def _package_json_version() -> str:
    return json.loads((ROOT / "labextension" / "package.json").read_text())["version"]


def test_one_version_for_python_and_the_sidebar():
    """The version lives in labextension/package.json; hatch copies it into the distribution
    (npm's 1.0.0-alpha.1 is Python's 1.0.0a1), and the built sidebar carries the same."""
    import jupyter_mlops

    js = _package_json_version()
    assert Version(jupyter_mlops.__version__) == Version(js), (
        "the installed metadata is older than labextension/package.json: reinstall "
        "(pip install -e .)")
    built = ROOT / "jupyter_mlops" / "labextension" / "package.json"
    assert json.loads(built.read_text())["version"] == js, "rebuild the sidebar (jlpm build)"


def test_the_package_ships_its_types():
    """PEP 561: a type checker uses the package's annotations only if py.typed is shipped
    (the wheel takes the whole jupyter_mlops folder)."""
    assert (ROOT / "jupyter_mlops" / "py.typed").is_file()


def _documented(obj: object) -> bool:
    doc = inspect.getdoc(obj) or ""
    # a dataclass without a docstring gets its signature as __doc__: that documents nothing
    return bool(doc.strip()) and not (inspect.isclass(obj) and doc.startswith(f"{obj.__name__}("))


def _public(module: object) -> dict[str, object]:
    names = getattr(module, "__all__", None)
    if names is None:  # a namespace without __all__: what it defines without a leading _
        names = [n for n, o in vars(module).items() if not n.startswith("_")
                 and (inspect.isfunction(o) or inspect.isclass(o))
                 and o.__module__ == module.__name__]
    return {f"{module.__name__}.{n}": getattr(module, n) for n in names}


def test_every_public_function_is_documented():
    """`mlops.X` and the namespaces `mlops.lineage`, `mlops.jobs`, `mlops.widgets`: what a
    user can reach has a docstring (what `help()` and JupyterLab's inspector show)."""
    import jupyter_mlops

    public = _public(jupyter_mlops)
    for namespace in ("lineage", "jobs", "widgets"):
        public.update(_public(importlib.import_module(f"jupyter_mlops.{namespace}")))
    reachable = {n: o for n, o in public.items() if callable(o) or inspect.ismodule(o)}
    assert len(reachable) > 30  # the walk found the API, not an empty namespace
    assert [n for n, o in reachable.items() if not _documented(o)] == []
