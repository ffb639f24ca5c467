"""Retention: delete runs and free the disk they held, as events (docs/retention.md).

Deleting is two steps. First the tombstones (``run_deleted`` for each run, ``files_freed``
for the blobs and job folders to remove) are appended, flushed and ingested under the
store's exclusive lock, on the state just read: a version registered meanwhile waits for
the lock, so gc never deletes a run a version references. Then, only once they are
committed, the files are removed. A gc killed in between left tombstones whose files are
still on disk: the next gc removes them.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from . import events as ev
from .exceptions import RunProtected, StoreError
from .store import Store, db
from .store.ingest import FAULT_ENV, ingest
from .store.lock import hold
from .store.queries.retention import (
    ORPHAN_GRACE_S,
    THREADS,
    Plan,
    Policy,
    file_of,
    files,
    plan,
)
from .store.read import resolve_run
from .tracking import tracker
from .tracking.decisions import record_now

#: Files listed per ``files_freed`` event (one line stays well under a megabyte).
FILES_PER_EVENT = 5000
_AGE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", re.IGNORECASE)
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_age(text: str) -> float:
    """Seconds from ``30d``, ``12h``, ``2w``, ``90m``, ``45s``."""
    match = _AGE.fullmatch(text)
    if not match:
        raise ValueError(f"--older-than {text!r} is not an age: write e.g. 30d, 12h, 2w")
    return float(match.group(1)) * _UNIT_S[match.group(2).lower()]


@dataclass
class Outcome:
    """What a gc found and, when applied, removed."""

    plan: Plan
    applied: bool = False
    removed_bytes: int = 0


def gc(store: Store, policy: Policy, *, apply: bool = False, by: str | None = None,
       orphan_grace_s: float = ORPHAN_GRACE_S, reason: str = "gc") -> Outcome:
    """Plan (and with ``apply``, carry out) the deletion of the runs ``policy`` selects, the
    files only they reference, orphaned blobs, and what an interrupted gc left behind."""
    with hold(store, exclusive=True):
        ingest(store)
        with db.connect(store, write=False) as con:
            found = plan(con, store, policy, orphan_grace_s=orphan_grace_s)
        if apply:
            _tombstones(store, found, by or getpass.getuser(), reason)
    outcome = Outcome(found, applied=apply)
    if apply:
        outcome.removed_bytes = _remove(store, found)
    return outcome


def delete_run(run: str, *, reason: str | None = None, by: str | None = None,
               store: Store | None = None) -> str:
    """Delete one run (its cells, params, metrics, fits, artifacts, job, drift reports and
    the files only it references), recorded as an event; returns its full id. A run that is
    running, or that a registered model version refers to, is refused with the reason."""
    store = store or tracker().store
    with hold(store, exclusive=True):
        ingest(store)
        with db.connect(store, write=False, threads=1) as con:
            run_id = resolve_run(con, run)
            status = db.scalar(con, "SELECT status FROM runs WHERE id = ?", [run_id])
            versions = [f"{n}:{v}" for n, v in db.run(
                con, "SELECT name, version FROM model_versions WHERE run_id = ? "
                     "ORDER BY name, version", [run_id])]
            if status == "running":
                raise RunProtected(f"run {run_id[:12]} is running; end it (or wait for its "
                                   f"kernel to stop) before deleting it")
            if versions:
                raise RunProtected(f"run {run_id[:12]} made model version(s) "
                                   f"{', '.join(versions)}; a registered version keeps its "
                                   f"run, so it cannot be deleted")
            import pandas as pd

            runs = pd.DataFrame({"run_id": [run_id]})
            found = files(con, store, Plan(runs), orphans_before=None)
        _tombstones(store, found, by or getpass.getuser(), reason or "deleted by hand")
    _remove(store, found)
    return run_id


def _tombstones(store: Store, found: Plan, by: str, reason: str) -> None:
    """Append, flush and ingest the deletion events (under the caller's exclusive lock)."""
    events = [ev.Event(ev.RUN_DELETED, {"run_id": r, "by": by, "reason": reason})
              for r in found.runs["run_id"]]
    freed = ([{"kind": "blob", "ref": p, "size": s} for p, s in found.blobs.items()]
             + [{"kind": "blob", "ref": p, "size": s} for p, s in found.orphans.items()]
             + [{"kind": "job_output", "ref": r, "size": s} for r, s in found.outputs.items()])
    events += [ev.Event(ev.FILES_FREED, {"files": freed[i:i + FILES_PER_EVENT], "by": by,
                                         "reason": reason})
               for i in range(0, len(freed), FILES_PER_EVENT)]
    if events:
        record_now(store, *events)


def _remove(store: Store, found: Plan) -> int:
    """Remove the files of committed tombstones; returns the bytes freed. A blob written
    again since the plan (its mtime moved: a new run stored the same content) stays.
    Empty prefix folders stay too: removing one could race a concurrent write into it."""
    if os.environ.get(FAULT_ENV) == "gc_after_tombstones":  # test-only: kill -9 here
        os.kill(os.getpid(), signal.SIGKILL)
    started = time.time()
    targets = ([("blob", p, s) for p, s in {**found.blobs, **found.orphans}.items()]
               + [("job_output", r, s) for r, s in found.outputs.items()]
               + [(kind, ref, s) for ref, (kind, s) in found.unfinished.items()])

    def remove(batch: list[tuple[str, str, int]]) -> int:
        freed = 0
        for kind, ref, size in batch:
            path = file_of(store, kind, ref)
            try:
                if kind == "job_output":
                    shutil.rmtree(path)
                elif os.lstat(path).st_mtime <= started:
                    os.unlink(path)
                else:
                    continue
            except FileNotFoundError:
                continue
            except OSError as e:
                raise StoreError(f"gc recorded {path} as freed but could not remove it: "
                                 f"{e.strerror}. Fix its permissions and run gc again."
                                 ) from None
            freed += size
        return freed

    # batches: a thread pool's future per file cost more than the unlink itself
    batches = [targets[i:i + 200] for i in range(0, len(targets), 200)]
    with ThreadPoolExecutor(THREADS) as pool:
        return sum(pool.map(remove, batches))
