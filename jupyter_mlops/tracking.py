"""The active run of this process and the logging API (``mlops.log_param`` & co).

A run starts when the extension loads (or at the first ``log_*`` call) and ends at
interpreter exit or on request. Inside a papermill job the runner owns the run and hands
its id over in ``JUPYTER_MLOPS_RUN_ID``; the kernel then only adds to it.
Writing never raises into user code or prints into a cell: a store that cannot be
written is an incident in the store's capture log (:mod:`.capture.incidents`).
"""

from __future__ import annotations

import atexit
import numbers
import os
import socket
import threading
from pathlib import Path
from typing import Any

from . import events as ev
from .capture import environment, incidents
from .config import EXPERIMENT_ENV, RUN_ID_ENV, notebook_path
from .store import Store, StoreError
from .store.spool import SpoolWriter


class Tracker:
    """This process's link to the store: the spool writer and the active run."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.writer = SpoolWriter(store)
        self.run_id: str | None = None
        self.experiment: str | None = None
        self.owns_run = False
        self.cell_seq: int | None = None  # the cell executing now, for params/metrics
        self._attached = False
        self._env_thread: threading.Thread | None = None

    def emit(self, type_: str, payload: dict[str, Any]) -> bool:
        """Append one event; on failure record an incident and return False, never raise."""
        return self.emit_event(ev.Event(type_, payload))

    def emit_event(self, event: ev.Event) -> bool:
        """:meth:`emit` for an event built by the caller (who needs its id)."""
        try:
            self.writer.append(event)
            return True
        except (StoreError, OSError):
            incidents.report(self.store.root, "not recording")
            return False

    def start_run(self, experiment: str | None = None, kind: str = "interactive", *,
                  run_id: str | None = None, notebook: str | None = None) -> str:
        """Start a new run (ending the active one); returns its id.

        A job runner passes the ``run_id`` it handed to the kernel, and owns that run.
        """
        if self.run_id is not None:
            self.end_run()
        inherited = None if run_id else os.environ.get(RUN_ID_ENV)
        notebook = notebook or notebook_path()
        self.experiment = (experiment or os.environ.get(EXPERIMENT_ENV)
                           or (Path(notebook).stem if notebook else "default"))
        if inherited and not self._attached:  # a job kernel joins the run its runner owns
            self._attached = True
            self.run_id, self.owns_run = inherited, False
            return inherited
        self.run_id, self.owns_run = run_id or ev.new_id(), True
        self.emit(ev.RUN_STARTED, {
            "run_id": self.run_id, "experiment": self.experiment, "kind": kind,
            "notebook": notebook, "host": socket.gethostname(), "pid": os.getpid(),
            "parent_run": inherited,
        })
        self._env_thread = threading.Thread(
            target=self._record_environment, args=(self.run_id, notebook),
            name="jupyter-mlops-environment", daemon=True)
        self._env_thread.start()
        return self.run_id

    def end_run(self, status: str = "finished") -> None:
        """End the active run (if this process owns it) and make its events durable."""
        if self.run_id is None:
            return
        if self.owns_run:
            self.emit(ev.RUN_ENDED, {"run_id": self.run_id, "status": status})
        self.run_id, self.owns_run = None, False
        try:
            self.writer.flush()
        except OSError:
            incidents.report(self.store.root, "flushing the spool")

    def wait_environment(self, timeout: float = 30.0) -> None:
        """Let the environment snapshot finish: a short-lived process (a job's runner)
        would otherwise exit before its daemon thread records it."""
        if self._env_thread is not None:
            self._env_thread.join(timeout)

    def ensure_run(self) -> str:
        return self.run_id or self.start_run()

    def set_experiment(self, name: str) -> None:
        """Move the active run into experiment ``name``."""
        _check_key(name, "experiment name")
        self.experiment = name
        self.emit(ev.RUN_UPDATED, {"run_id": self.ensure_run(), "experiment": name})

    def log_params(self, params: dict[str, Any]) -> None:
        for key in params:
            _check_key(key, "param name")
        self.emit(ev.PARAMS, {"run_id": self.ensure_run(), "params": dict(params),
                              "cell_seq": self.cell_seq})

    def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
        clean = {_check_key(k, "metric name"): _metric_value(k, v) for k, v in metrics.items()}
        if step is not None and type(step) is not int and not isinstance(step, numbers.Integral):
            raise TypeError(f"step must be an integer, not {type(step).__name__}")
        self.emit(ev.METRICS, {"run_id": self.ensure_run(), "metrics": clean,
                               "step": None if step is None else int(step),
                               "cell_seq": self.cell_seq})

    def _record_environment(self, run_id: str, notebook: str | None) -> None:
        try:
            env = environment.snapshot()
            folder = Path(notebook).parent if notebook else Path.cwd()
            commit, dirty = environment.git_state(folder)
            self.emit(ev.RUN_ENVIRONMENT, {
                "run_id": run_id, "env_id": environment.environment_id(env),
                "environment": env, "git_commit": commit, "git_dirty": dirty,
                "notebook_hash": environment.file_hash(notebook) if notebook else None,
            })
        except Exception:  # the environment is a nice-to-have; never break the kernel
            incidents.report(self.store.root, "recording the environment")


def _check_key(key: Any, what: str) -> str:
    if type(key) is not str or not key.strip():
        raise ValueError(f"{what} must be a non-empty string, got {key!r}")
    return key


def _metric_value(key: str, value: Any) -> float:
    if type(value) is float:  # the common case, without the ABC check
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"metric {key!r} must be a number, got {type(value).__name__} "
                        f"{value!r}; log non-numeric values with log_param")
    return float(value)


_tracker: Tracker | None = None
_tracker_lock = threading.Lock()


def tracker() -> Tracker:
    """The process-wide tracker, created on first use; its run ends at exit."""
    global _tracker
    with _tracker_lock:
        if _tracker is None:
            _tracker = Tracker(Store.open())
            atexit.register(_at_exit)
        return _tracker


def _at_exit() -> None:
    if _tracker is not None:
        _tracker.end_run()
        _tracker.writer.close()


def log_param(key: str, value: Any) -> None:
    """Record one parameter of the active run."""
    tracker().log_params({key: value})


def log_params(params: dict[str, Any] | None = None, /, **kwargs: Any) -> None:
    """Record parameters: ``log_params({"a": 1})`` or ``log_params(a=1, depth=4)``."""
    tracker().log_params({**(params or {}), **kwargs})


def log_metric(key: str, value: float, step: int | None = None) -> None:
    """Record one metric value of the active run, optionally at a step."""
    tracker().log_metrics({key: value}, step)


def log_metrics(metrics: dict[str, float], step: int | None = None) -> None:
    """Record several metric values at once (one event)."""
    tracker().log_metrics(metrics, step)


def record_now(store: Store, event: ev.Event) -> None:
    """Append ``event`` durably and apply it at once: for decisions (a promotion, a
    schedule change) made under the store's exclusive lock on the state just read."""
    from .store.ingest import ingest

    try:
        tracker().writer.append(event)
        tracker().writer.flush()  # such events must survive a machine crash
    except (StoreError, OSError) as e:
        raise StoreError(f"could not record this: {e}") from None
    ingest(store)
