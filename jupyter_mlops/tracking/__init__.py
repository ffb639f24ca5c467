"""The active run of this process and the logging API (``mlops.log_param`` & co).

A run starts when the extension loads (or at the first ``log_*`` call) and ends at
interpreter exit or on request. Inside a papermill job the runner owns the run and hands
its id over in ``JUPYTER_MLOPS_RUN_ID``; the kernel then only adds to it.

The store is ``$JUPYTER_MLOPS_HOME`` as it is when each call is made: when it changes
mid-process, the next call (a ``log_*``, a recorded cell, a query, ``jobs.history()``,
``jobs.run``) ends the active run in the old store and goes on in a new run, of the same
experiment, in the new one.

Writing never raises into user code or prints into a cell: a store that cannot be written
is an incident in the store's capture log (:mod:`.capture.incidents`). A param or metric
is recorded as well as it can be (a value JSON cannot hold as text, a metric too large for
a float as infinity), with one warning per key and problem: the user asked for that value.
"""

from __future__ import annotations

import atexit
import logging
import numbers
import os
import socket
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import events as ev
from ..capture import environment, incidents, recorder
from ..config import EXPERIMENT_ENV, HOME_ENV, RUN_ID_ENV, notebook_path
from ..exceptions import StoreError
from ..store import Store
from ..store.spool import SpoolWriter
from . import values as recordable
from .naming import new_name

log = logging.getLogger("jupyter_mlops")


class Tracker:
    """This process's link to the store: the spool writer and the active run."""

    def __init__(self, store: Store, *, follow_environment: bool = False) -> None:
        self._store = store
        self.writer = SpoolWriter(store)
        #: The process's tracker follows $JUPYTER_MLOPS_HOME; one given a store keeps it.
        self._follows = follow_environment
        self._home = os.environ.get(HOME_ENV)
        self._switching = threading.Lock()
        self.run_id: str | None = None
        self.experiment: str | None = None
        self.owns_run = False
        self.cell_seq: int | None = None  # the cell executing now, for params/metrics
        self._value_warnings: set[str] = set()
        self._attached = False
        self._env_thread: threading.Thread | None = None

    @property
    def store(self) -> Store:
        """The store this process records into now (see the module's docstring)."""
        self._follow()
        return self._store

    def _follow(self) -> None:
        """Move to the store ``$JUPYTER_MLOPS_HOME`` names, if it changed: the active run
        ends in the old store and a new one (same experiment) starts in the new."""
        if not self._follows or os.environ.get(HOME_ENV) == self._home:
            return
        with self._switching:
            home = os.environ.get(HOME_ENV)
            if home == self._home:
                return
            self._home = home  # first, so that the events written below do not recurse
            store = Store.open()
            if store.root == self._store.root:
                return
            running, experiment = self.run_id is not None, self.experiment
            self.end_run()
            self.writer.close()
            self._store, self.writer = store, SpoolWriter(store)
            if running:
                self.start_run(experiment)

    def emit(self, type_: str, payload: dict[str, Any]) -> bool:
        """Append one event; on failure record an incident and return False, never raise."""
        return self.emit_event(ev.Event(type_, payload))

    def emit_event(self, event: ev.Event, writer: SpoolWriter | None = None) -> bool:
        """:meth:`emit` for an event built by the caller (who needs its id); ``writer``: the
        store's writer the event belongs to, when the store may have changed since."""
        if writer is None:
            self._follow()
            writer = self.writer
        try:
            writer.append(event)
            return True
        except (StoreError, OSError):
            incidents.report(self._store.root, "not recording")
            return False

    def start_run(self, experiment: str | None = None, kind: str = "interactive", *,
                  run_id: str | None = None, notebook: str | None = None,
                  source: str | None = None) -> str:
        """Start a new run (ending the active one); returns its id.

        A job runner passes the ``run_id`` it handed to the kernel, and owns that run.
        ``source`` is the file hashed (and its folder's git state) when ``notebook`` only
        names it: a job on a Dask worker that has a copy of the notebook alone.
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
            "name": new_name(self._store, self.run_id, self.experiment, notebook),
            "notebook": notebook, "host": socket.gethostname(), "pid": os.getpid(),
            "parent_run": inherited,
        })
        self._env_thread = threading.Thread(
            target=self._record_environment, args=(self.run_id, source or notebook,
                                                   self.writer),
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
            incidents.report(self._store.root, "flushing the spool")

    def wait_environment(self, timeout: float = 30.0) -> None:
        """Let the environment snapshot finish: a short-lived process (a job's runner)
        would otherwise exit before its daemon thread records it."""
        if self._env_thread is not None:
            self._env_thread.join(timeout)

    def ensure_run(self) -> str:
        self._follow()  # before the id goes into an event: the run of the store written
        return self.run_id or self.start_run()

    def set_experiment(self, name: str) -> None:
        """Move the active run into experiment ``name``."""
        recordable.check_key(name, "experiment name")
        run_id = self.ensure_run()  # first: a run started here would take the default name
        self.experiment = name
        self.emit(ev.RUN_UPDATED, {"run_id": run_id, "experiment": name})

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Record params; never raises (see :func:`.values.clean`)."""
        problems: list[str] = []
        clean = recordable.clean(params, "param", recordable.param_value, problems)
        if clean:
            self.emit(ev.PARAMS, {"run_id": self.ensure_run(), "params": clean,
                                  "seq": self.cell_seq})
        self._warn_values(problems)

    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        """Record metric values (one event); never raises (see :func:`.values.clean`)."""
        problems: list[str] = []
        clean = recordable.clean(metrics, "metric", recordable.metric_value, problems)
        if step is not None and (isinstance(step, bool) or not isinstance(
                step, numbers.Integral) or not -2**63 <= step < 2**63):
            problems.append(f"step must be a whole number within 64 bits, not "
                            f"{recordable.shown(step)}: recorded without a step")
            step = None
        if clean:
            self.emit(ev.METRICS, {"run_id": self.ensure_run(), "metrics": clean,
                                   "step": None if step is None else int(step),
                                   "seq": self.cell_seq})
        self._warn_values(problems)

    def _warn_values(self, problems: list[str]) -> None:
        """One warning per problem per process: a loop logging the same bad value does not
        fill the cell's output."""
        for problem in problems:
            if problem not in self._value_warnings:
                self._value_warnings.add(problem)
                log.warning("jupyter-mlops: %s", problem)

    def _record_environment(self, run_id: str, notebook: str | None,
                            writer: SpoolWriter) -> None:
        """In a thread; written to the store of the run even if the tracker has moved on."""
        try:
            env = environment.snapshot()
            folder = Path(notebook).parent if notebook else Path.cwd()
            commit, dirty = environment.git_state(folder)
            self.emit_event(ev.Event(ev.RUN_ENVIRONMENT, {
                "run_id": run_id, "env_id": environment.environment_id(env),
                "environment": env, "git_commit": commit, "git_dirty": dirty,
                "notebook_hash": environment.file_hash(notebook) if notebook else None,
            }), writer)
        except Exception:  # the environment is a nice-to-have; never break the kernel
            incidents.report(self._store.root, "recording the environment")


_tracker: Tracker | None = None
_tracker_lock = threading.Lock()


def tracker() -> Tracker:
    """The process-wide tracker, created on first use; its run ends at exit."""
    global _tracker
    with _tracker_lock:
        if _tracker is None:
            _tracker = Tracker(Store.open(), follow_environment=True)
            atexit.register(_at_exit)
        return _tracker


recorder.record_into(tracker)  # autolog records through the process's tracker


def _at_exit() -> None:
    if _tracker is not None:
        _tracker.end_run()
        _tracker.writer.close()


def use_store(store: Store) -> Tracker:
    """Bind the process-wide tracker to ``store`` for good (it no longer follows
    ``$JUPYTER_MLOPS_HOME``): for a face that was handed its store (the CLI's ``--store``)."""
    global _tracker
    with _tracker_lock:
        old, _tracker = _tracker, Tracker(store)
        if old is None:
            atexit.register(_at_exit)
    if old is not None:
        old.end_run()
        old.writer.close()
    return _tracker


def log_param(key: str, value: Any) -> None:
    """Record one parameter of the active run.

    Never raises into a cell: a value JSON cannot hold (an object, a whole number beyond 64
    bits, a list that contains itself, something whose repr raises) is recorded as text,
    a bad name is left out, each with one warning per name and problem.
    """
    tracker().log_params(_one(key, value))


def log_params(params: Mapping[str, Any] | None = None, /, **kwargs: Any) -> None:
    """Record parameters: ``log_params({"a": 1})`` or ``log_params(a=1, depth=4)``."""
    values = kwargs if params is None else params
    if kwargs and isinstance(params, Mapping):
        values = {**params, **kwargs}
    tracker().log_params(values)


def log_metric(key: str, value: float, step: int | None = None) -> None:
    """Record one metric value of the active run, optionally at a step.

    Never raises into a cell: a number too large for a float is recorded as infinity, a
    value that is not a number is left out, each with one warning.
    """
    tracker().log_metrics(_one(key, value), step)


def log_metrics(metrics: Mapping[str, float], step: int | None = None) -> None:
    """Record several metric values at once (one event)."""
    tracker().log_metrics(metrics, step)


def _one(key: Any, value: Any) -> dict[Any, Any]:
    """``{key: value}``; an unhashable key becomes ``None``, which is then refused by name."""
    try:
        return {key: value}
    except TypeError:
        return {None: value}
