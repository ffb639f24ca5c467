"""Reading job records safely: what a record names is not trusted, and a record saying
"running" is checked against the processes it names.

A job record is an event anyone who can write to the store folder can forge, so the
executed notebook it names is served only from inside the store: its file when that lies
in the store's ``jobs/`` folder (resolved, so no symlink leads out), else the copy kept as
a content-addressed artifact. A job still "running" whose runner and job process are both
gone (same host; a process is its pid and start time) is marked ``lost`` by whichever reader
finds it, as ingest marks a run ``died``.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

from .. import blobs
from ..exceptions import NotFound, StoreError
from ..store import Store, process

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def jobs_folder(store: Store) -> Path | None:
    """The store's ``jobs/`` folder, resolved; None when it is a symlink (it may lead out)."""
    folder = store.root.resolve() / "jobs"
    return None if folder.is_symlink() else folder


def executed_notebook(store: Store, job: dict[str, Any]) -> bytes:
    """The bytes of ``job``'s executed notebook, read only from inside the store;
    NotFound when there are none there."""
    recorded, sha = job.get("output"), job.get("output_sha")
    folder = jobs_folder(store)
    if isinstance(recorded, str) and folder is not None:
        path = Path(recorded).resolve()
        if path.is_relative_to(folder) and path.is_file():
            return path.read_bytes()
    if isinstance(sha, str) and _SHA256.match(sha):
        try:
            return blobs.get(store, sha)
        except StoreError:
            pass
    raise NotFound(f"job {job['run_id'][:12]} ({job['status']}) left no executed notebook "
                   f"in the store. GET jobs lists the jobs that did.")


def alive(pid: Any, started: Any) -> bool:
    """Whether the process recorded as ``pid`` that started at ``started`` (clock ticks
    since boot, :func:`~jupyter_mlops.store.process.start_ticks`) still runs; without a
    recorded start time, any live process with that pid does."""
    pid, started = _number(pid), _number(started)
    if pid is None:
        return False
    ticks = started if started is not None else process.start_ticks(int(pid))
    return ticks is not None and process.alive(int(pid), int(ticks))


def _number(value: Any) -> float | None:
    """A number from a record, None for a NULL however pandas shows it (None, NaN, NA)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def job_processes() -> dict[str, Any]:
    """The live job processes on this host (``python -m jupyter_mlops.jobs.child``) by run
    id: what survives of a job whose runner is gone."""
    import psutil

    found = {}
    for proc in psutil.process_iter(["cmdline", "status"]):
        cmdline = proc.info["cmdline"] or []
        if "jupyter_mlops.jobs.child" in cmdline and proc.info["status"] != "zombie":
            found[Path(cmdline[-1]).parent.name] = proc
    return found


def settle(store: Store, jobs: list[dict[str, Any]]) -> list[str]:
    """Mark ``lost`` those of ``jobs`` still "running" on this host whose runner and job
    process are both gone (kill -9, a crash): nothing else will ever record their end.

    Decided before a last ingest under the store's lock, so an end a dying process did
    write wins over "lost"."""
    from ..store import queries
    from ..store.ingest import ingest
    from ..store.lock import hold
    from .runner import record_end
    from .spec import JobResult

    here = socket.gethostname()
    suspects = [j for j in jobs if j["status"] == "running" and j["host"] == here
                and not alive(j["pid"], j["pid_started"])]
    if not suspects:
        return []
    orphans = job_processes()
    gone = [j for j in suspects if j["run_id"] not in orphans]
    if not gone:
        return []
    lost = []
    with hold(store, exclusive=True):
        ingest(store)
        running = set(queries.jobs(store, status="running", limit=1_000_000).run_id)
        for job in gone:
            if job["run_id"] in running:
                record_end(str(store.root), JobResult(
                    job["run_id"], "lost", f"its runner (pid {job['pid']}) and its job "
                    f"process ended without recording how the job ended"))
                lost.append(job["run_id"])
        ingest(store)
    return lost


def listing(store: Store, *, status: str | None = None, schedule: str | None = None,
            limit: int = 50) -> Any:
    """Recent job executions as a DataFrame, newest first, lost ones marked so."""
    from ..store import queries

    settle(store, queries.jobs(store, status="running", limit=1_000_000).to_dict("records"))
    return queries.jobs(store, status=status, schedule=schedule, limit=limit)


def one(store: Store, run_id: str) -> dict[str, Any]:
    """One job execution by run id or unique prefix, marked lost if it is."""
    from ..store import queries

    job = queries.job(store, run_id)
    return queries.job(store, job["run_id"]) if settle(store, [job]) else job
