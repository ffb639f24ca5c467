"""Packaging promises: entry points, import cost, and who may open the database."""

import re
import subprocess
import sys
from pathlib import Path

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
    assert re.search(r"jupyter_mlops 0\.1\.0 \S*OK", done.stdout + done.stderr)
