"""Notebooks as jobs: ``mlops.jobs.run``, schedules, the scheduler daemon, reproduce, export.

A job is a papermill execution of a notebook in its own process, recorded as a run of kind
``job``: its cells (by nbformat id), parameters, environment, how it ended, and the executed
notebook. See ``docs/jobs.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..exceptions import JobError
from .spec import JobResult, JobSpec

__all__ = ["JobError", "JobResult", "JobSpec", "export", "history", "reproduce", "run",
           "schedule", "trigger"]


def run(notebook: str, params: dict[str, Any] | None = None, *,
        timeout: str | float | None = None, experiment: str | None = None,
        output: str | None = None, kernel_name: str | None = None,
        progress: bool = False) -> JobResult:
    """Execute ``notebook`` with ``params`` as a job and wait for it; JobError if refused.

    ``timeout`` bounds the whole job ("30m", "2h", seconds); the kernel is killed with it.
    """
    from .runner import execute, prepare

    return execute(prepare(notebook, params, timeout=timeout, experiment=experiment,
                           output=output, kernel_name=kernel_name, trigger="api",
                           progress=progress))


def trigger(target: str, params: dict[str, Any] | None = None, *,
            timeout: str | float | None = None, queue: bool = False) -> JobResult | str:
    """Start another job from this one (a monitoring notebook retraining on drift).

    ``target`` is a schedule name or a notebook path (relative to the working directory,
    which in a job is the notebook's folder). The new run is linked to this one in the
    lineage. With ``queue=True`` a schedule is handed to the scheduler daemon instead of
    run here; the request id is returned.
    """
    from ..tracking import tracker
    from . import schedules
    from .runner import execute, prepare

    parent = tracker().ensure_run()
    state = schedules.current(tracker().store).get(target)
    if state is not None:
        if queue:
            return schedules.request(target, params)
        return execute(schedules.spec_for(target, state, params, trigger="trigger",
                                          parent_run=parent))
    if queue:
        raise JobError(f"only a schedule can be queued, and there is no schedule {target!r}")
    if not Path(target).is_file():
        raise JobError(f"{target!r} is neither a schedule nor a notebook file")
    return execute(prepare(target, params, timeout=timeout, trigger="trigger",
                           parent_run=parent))


def schedule(notebook: str, cron: str, *, name: str | None = None,
             params: dict[str, Any] | None = None, misfire: str = "once",
             timeout: str | float | None = None, experiment: str | None = None,
             tz: str | None = None, replace: bool = False) -> dict[str, Any]:
    """Run ``notebook`` on a cron ("0 6 * * *"; 6 fields for seconds) under ``name`` (default:
    the notebook's). ``misfire``: what the scheduler does with fire times it missed (skip,
    once, all). Everything is checked now; returns the stored schedule."""
    from .schedules import add

    return add(notebook, cron, name=name, params=params, misfire=misfire, timeout=timeout,
               experiment=experiment, tz=tz, replace=replace)


def history(*, status: str | None = None, schedule: str | None = None,
            limit: int = 50) -> Any:
    """Recent job executions as a DataFrame, newest first (a job whose processes are gone
    is marked ``lost``)."""
    from ..tracking import tracker
    from .records import listing

    return listing(tracker().store, status=status, schedule=schedule, limit=limit)


def reproduce(run_id: str, *, timeout: str | float | None = None,
              progress: bool = False) -> Any:
    """Run job ``run_id`` again with its recorded notebook content and parameters. Warns
    (ReproducibilityWarning) about what changed since; the result compares data and metrics."""
    from .reproduction import reproduce as again

    return again(run_id, timeout=timeout, progress=progress)


def export(ref: Any, to: str | Path, *, overwrite: bool = False) -> Path:
    """Write the cells behind ``ref`` (a run id, "churn:3", "churn@champion") to the notebook
    ``to``, after a parameters cell holding the run's logged parameters."""
    from .exporter import export as write

    return write(ref, to, overwrite=overwrite)
