"""jupyter-mlops: cell-level experiment tracking for Jupyter, on an event store in DuckDB.

``%load_ext jupyter_mlops`` records every executed cell of the notebook; ``import
jupyter_mlops as mlops`` gives the logging API. Importing this package never imports
duckdb or pandas: the kernel's capture path only appends to a spool file.
"""

from __future__ import annotations

import os
from typing import Any

from .config import ENABLED_ENV
from .tracking import log_metric, log_metrics, log_param, log_params, tracker

__all__ = [
    "__version__",
    "alert",
    "artifacts",
    "autolog",
    "cells",
    "datasets",
    "delete_run",
    "diff",
    "drift",
    "jobs",
    "lineage",
    "load_model",
    "log_artifact",
    "log_dict",
    "log_figure",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "log_table",
    "log_text",
    "metrics",
    "models",
    "performance_drift",
    "profile",
    "promote",
    "register",
    "runs",
    "set_run_name",
    "sql",
    "widgets",
]

# Re-exported lazily (PEP 562): the drift engine needs pandas and scipy, which a kernel
# that only records cells should not pay for at `import jupyter_mlops`.
_LAZY = {
    "drift": "jupyter_mlops.monitoring.detect",
    "performance_drift": "jupyter_mlops.monitoring.concept",
    "profile": "jupyter_mlops.monitoring.records",
    "register": "jupyter_mlops.registry",
    "promote": "jupyter_mlops.registry",
    "load_model": "jupyter_mlops.registry",
    "autolog": "jupyter_mlops.capture.autolog",
    "diff": "jupyter_mlops.comparison",
    # asking the store (issue 16): DataFrames, and SQL over documented views
    "runs": "jupyter_mlops.store.ask",
    "metrics": "jupyter_mlops.store.ask",
    "sql": "jupyter_mlops.store.ask",
    # what a run keeps (issue 17)
    "log_artifact": "jupyter_mlops.tracking.logged",
    "log_figure": "jupyter_mlops.tracking.logged",
    "log_table": "jupyter_mlops.tracking.logged",
    "log_text": "jupyter_mlops.tracking.logged",
    "log_dict": "jupyter_mlops.tracking.logged",
    "cells": "jupyter_mlops.store.ask",
    "datasets": "jupyter_mlops.store.ask",
    "models": "jupyter_mlops.store.ask",
    "artifacts": "jupyter_mlops.store.ask",
    "delete_run": "jupyter_mlops.retention",
    "set_run_name": "jupyter_mlops.tracking.naming",
    "alert": "jupyter_mlops.alerts",  # a user's own alert (issue 18): appends one event
}


def __getattr__(name: str) -> Any:
    if name == "__version__":  # the installed distribution's: one version, in package.json
        from importlib.metadata import version

        value = globals()["__version__"] = version("jupyter-mlops")
        return value
    if name in ("jobs", "lineage", "widgets"):  # namespaces: mlops.jobs.run(...)
        import importlib

        return importlib.import_module(f"jupyter_mlops.{name}")
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'jupyter_mlops' has no attribute {name!r}")


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    """The server extension (the REST API); imported only when a Jupyter server loads it."""
    from .server.app import MLOpsApp

    return [{"module": "jupyter_mlops.server.app", "app": MLOpsApp}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """The prebuilt sidebar (built from labextension/ into jupyter_mlops/labextension)."""
    return [{"src": "labextension", "dest": "jupyter-mlops"}]


_loaded: dict[int, list[Any]] = {}  # id(shell) -> its captures (cells, outputs)


def load_ipython_extension(ip: Any) -> None:
    """``%load_ext jupyter_mlops``: register ``%mlops`` and start recording cells.

    Loading twice is harmless (``c.InteractiveShellApp.extensions`` plus an explicit
    ``%load_ext`` records each cell once).
    """
    if id(ip) in _loaded:
        return
    from .capture import autolog
    from .capture.hooks import CellCapture
    from .capture.outputs import OutputCapture
    from .magics import MLOpsMagics

    t = tracker()
    magics = MLOpsMagics(ip, t)
    ip.register_magics(magics)
    captures: list[Any] = []
    if os.environ.get(ENABLED_ENV, "1") != "0":
        t.ensure_run()
        captures = [CellCapture(ip, t, magics), OutputCapture(ip, t, magics)]
        for capture in captures:
            capture.register()
        autolog.install_when_imported()  # fits from the cell that imports scikit-learn on
    _loaded[id(ip)] = captures
    ip.user_ns.setdefault("mlops", __import__(__name__))


def unload_ipython_extension(ip: Any) -> None:
    """``%unload_ext jupyter_mlops``: stop recording and end the run."""
    for capture in _loaded.pop(id(ip), []):
        capture.unregister()
    tracker().end_run()
