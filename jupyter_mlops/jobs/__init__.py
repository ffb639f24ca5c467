"""Notebooks as jobs: ``mlops.jobs.run``, schedules, the scheduler daemon, reproduce, export.

A job is a papermill execution of a notebook in its own process, recorded as a run of kind
``job``: its cells (by nbformat id), parameters, environment, how it ended, and the executed
notebook. See ``docs/jobs.md``.
"""

from __future__ import annotations

from typing import Any

from .params import JobError
from .spec import JobResult, JobSpec

__all__ = ["JobError", "JobResult", "JobSpec", "run"]


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
