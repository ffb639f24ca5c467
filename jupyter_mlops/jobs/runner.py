"""Run a notebook as a job: a child process per job, a wall timeout, the whole tree killed.

papermill has no whole-notebook timeout, changes the working directory of its whole
process, and its kernel runs in a process session of its own (killing papermill orphans
it). So each job runs ``python -m jupyter_mlops.jobs.child`` in a new process; this side
waits for it, kills it and every descendant (kernel included) on timeout or cancel, and
records the end itself when the child could not.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from .. import events as ev
from ..config import EXPERIMENT_ENV, HOME_ENV, RUN_ID_ENV
from ..exceptions import JobError
from ..store import Store, process
from ..store.spool import SpoolWriter
from .params import check_values
from .spec import JobResult, JobSpec

#: How often a running job's cancel flag is asked (a Dask Event costs a round trip).
CANCEL_POLL_S = 0.5
_STOPPED = {"cancelled": "cancelled on request",
            "interrupted": "the scheduler shut down before the job finished"}
_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*"
                       r"(?:(\d+(?:\.\d+)?)s?)?\s*$")


def parse_duration(value: str | float | None) -> float | None:
    """Seconds from ``90``, ``"90s"``, ``"30m"``, ``"1h30m"``; None stays None."""
    if value is None or isinstance(value, int | float):
        if value is not None and value <= 0:
            raise JobError(f"a timeout must be positive, not {value}")
        return None if value is None else float(value)
    match = _DURATION.match(value)
    if not value.strip() or not match or not any(match.groups()):
        raise JobError(f"timeout {value!r} is not a duration: use seconds (90) or 30s, 30m, 2h")
    hours, minutes, seconds = (float(g or 0) for g in match.groups())
    return parse_duration(hours * 3600 + minutes * 60 + seconds)


def prepare(notebook: str | os.PathLike[str], params: dict[str, Any] | None = None, *,
            timeout: str | float | None = None, experiment: str | None = None,
            output: str | os.PathLike[str] | None = None, kernel_name: str | None = None,
            store: Store | None = None, content: bytes | None = None,
            **context: Any) -> JobSpec:
    """Check what can be checked without starting anything, and give the job its run id.

    ``content`` (reproduce) is the notebook to execute in place of the file at
    ``notebook``, which then only names it and gives the kernel its working directory.
    """
    path = Path(notebook).expanduser().resolve()
    if content is None and not path.is_file():
        raise JobError(f"no notebook at {path}")
    store = store or Store.open()
    run_id = ev.new_id()
    out = Path(output).expanduser().resolve() if output else (
        store.root / "jobs" / run_id / path.name)
    spec = JobSpec(notebook=str(path), run_id=run_id, store=str(store.root), output=str(out),
                   params=check_values(params or {}), experiment=experiment,
                   timeout_s=parse_duration(timeout), kernel_name=kernel_name, **context)
    if content is not None:
        spec.folder.mkdir(parents=True, exist_ok=True)
        spec.content = str(spec.folder / "recorded.ipynb")
        Path(spec.content).write_bytes(content)
    return spec


def execute(spec: JobSpec, cancel: Callable[[], str | None] | None = None) -> JobResult:
    """Run the job to its end and return how it ended; JobError if it was refused.

    ``cancel`` is polled while the job runs: a status it returns ("cancelled",
    "interrupted") stops the job with that status."""
    spec.runner_pid = os.getpid()
    spec.runner_started = process.start_ticks(spec.runner_pid)
    path = spec.save()
    env = {**os.environ, HOME_ENV: spec.store, RUN_ID_ENV: spec.run_id,
           EXPERIMENT_ENV: spec.experiment or Path(spec.notebook).stem}
    log = None if spec.progress else open(spec.folder / "log.txt", "ab")  # noqa: SIM115
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "jupyter_mlops.jobs.child", str(path)], env=env,
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        status, reason = _wait(child, spec, cancel)
    finally:
        if log:
            log.close()
    result = _ended(spec, status, reason, f"exited with code {child.returncode}")
    if result.status == "refused":
        raise JobError(result.reason or "the job was refused")
    return result


def supervise(spec: JobSpec, process: psutil.Process,
              cancel: Callable[[], str | None] | None = None) -> JobResult:
    """Take over the job process of a runner that died (a scheduler killed): wait for it,
    kill its tree at its wall timeout (counted from its start) or on cancel, and record its
    end if the process could not."""
    status, reason = _wait(process, spec, cancel, elapsed=time.time() - process.create_time())
    return _ended(spec, status, reason, "ended")


def _ended(spec: JobSpec, status: str | None, reason: str | None, how: str) -> JobResult:
    """How the job ended: as its process recorded it, else as seen here (then recorded)."""
    result = JobResult.load(spec.folder)
    if result is None:  # killed here, or it died before recording its end: record it
        if status is None:
            status = "failed"
            reason = (f"the job process {how} before recording its end; see "
                      f"{spec.folder / 'log.txt'}")
        output = spec.output if Path(spec.output).exists() else None
        result = JobResult(spec.run_id, status, reason, output=output)
        record_end(spec.store, result)
    return result


def _wait(child: subprocess.Popen[bytes] | psutil.Process, spec: JobSpec,
          cancel: Callable[[], str | None] | None, elapsed: float = 0.0
          ) -> tuple[str | None, str | None]:
    """Wait for the job process; on timeout, cancel or Ctrl-C kill its tree and say why."""
    timeout = spec.timeout_s
    deadline = None if timeout is None else time.monotonic() + timeout - elapsed
    try:
        while True:
            wait = CANCEL_POLL_S if deadline is None else min(
                CANCEL_POLL_S, max(0.0, deadline - time.monotonic()))
            try:
                child.wait(wait)
                return None, None
            except (subprocess.TimeoutExpired, psutil.TimeoutExpired):
                pass
            if deadline is not None and time.monotonic() >= deadline:
                kill_tree(child.pid)
                return "timed_out", f"the job ran past its {timeout:g} s wall timeout"
            if cancel is not None and (status := cancel()):
                kill_tree(child.pid)
                return status, _STOPPED.get(status, status)
    except KeyboardInterrupt:
        kill_tree(child.pid)
        return "cancelled", "interrupted from the keyboard (Ctrl-C)"
    except BaseException:  # SystemExit from a signal handler, the thread's own end
        kill_tree(child.pid)
        raise


def kill_tree(pid: int) -> None:
    """SIGKILL a process and every descendant (the kernel runs in a session of its own,
    so a process group kill would miss it), then reap them."""
    try:
        root = psutil.Process(pid)
        procs = [*root.children(recursive=True), root]
    except psutil.NoSuchProcess:
        return
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(procs, timeout=10)


_writers: dict[str, SpoolWriter] = {}


def _writer(store: str) -> SpoolWriter:
    if store not in _writers:
        _writers[store] = SpoolWriter(Store.open(store))
    return _writers[store]


def close_writer(store: str) -> None:
    """Close this process's writer of ``store`` (a worker's temporary store, shipped)."""
    writer = _writers.pop(store, None)
    if writer is not None:
        writer.close()


def record(store: str, *events: ev.Event) -> None:
    """Append events to ``store`` from this process (a runner, a scheduler), durably."""
    writer = _writer(store)
    writer.write(events)
    writer.flush()


def record_end(store: str, result: JobResult) -> None:
    """Record a job's end from outside it (killed, lost, interrupted), durably."""
    record(store, ev.Event(ev.JOB_ENDED, {
        "run_id": result.run_id, "status": result.status, "reason": result.reason,
        "output": result.output}),
        ev.Event(ev.RUN_ENDED, {"run_id": result.run_id, "status": result.status}))
