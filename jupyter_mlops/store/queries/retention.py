"""What gc would remove: the runs a policy selects, the files only they reference, orphaned
blobs, and files freed by an earlier gc that are still on disk (see docs/retention.md).

A plan is a read: it changes nothing, so ``jupyter mlops doctor`` and gc's dry run show the
same figures. A run is never selected while it is running or while a model version names
it (the registry's history, aliases included, refers to versions, which refer to runs).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ... import events as ev
from .. import Store, db
from ..read import frame

if TYPE_CHECKING:
    import duckdb

#: Statuses ``--failed`` selects: every way a run can end other than finishing or succeeding.
FAILED = tuple(s for s in ev.RUN_STATUSES if s not in ("running", "finished", "succeeded"))
#: A freed file's ref: a run id (a job's folder) or ``xx/name`` under ``artifacts/``.
_SAFE_REF = re.compile(r"[0-9a-f]{32}|[0-9a-f]{2}/\.?[0-9a-f]{64}(\.[0-9]+\.tmp)?")
#: Threads that stat or remove files: each call may wait on the disk, and waits overlap
#: (here 50k unlinks took 1.5-3 ms each one after another, 0.1-0.2 ms with 16-64 threads).
THREADS = 32
#: A blob no row references is left alone this long: its event may not be ingested yet.
ORPHAN_GRACE_S = 24 * 3600

#: Every blob a row references, with the run it belongs to (NULL: none, kept regardless).
REFERENCES = """
    SELECT artifact AS sha256, run_id FROM fits WHERE artifact IS NOT NULL
    UNION ALL SELECT sha256, run_id FROM artifacts
    UNION ALL SELECT f.sha256, a.run_id FROM artifact_files f JOIN artifacts a USING (event_id)
    UNION ALL SELECT artifact, NULL FROM model_versions WHERE artifact IS NOT NULL"""


@dataclass(frozen=True)
class Policy:
    """Which runs go; the conditions given must all hold (none given: no run goes)."""

    keep_last: int | None = None  # keep the newest N runs of each experiment
    older_than_s: float | None = None  # ended (or last seen) more than this long ago
    failed: bool = False  # ended in one of :data:`FAILED`

    @property
    def selects(self) -> bool:
        return self.keep_last is not None or self.older_than_s is not None or self.failed


@dataclass
class Plan:
    """What gc would remove, with the sizes it would free."""

    runs: pd.DataFrame  # run_id, experiment, status, started
    kept: dict[str, int] = field(default_factory=dict)  # why a selected run stays -> count
    #: path under ``artifacts/`` -> bytes: blobs only the deleted runs referenced; files no
    #: row references (a blob, or the temporary file of a write that died)
    blobs: dict[str, int] = field(default_factory=dict)
    orphans: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, int] = field(default_factory=dict)  # run_id -> bytes of jobs/<run_id>
    unfinished: dict[str, tuple[str, int]] = field(default_factory=dict)  # ref -> (kind, bytes)

    @property
    def bytes(self) -> int:
        return (sum(self.blobs.values()) + sum(self.orphans.values())
                + sum(self.outputs.values()) + sum(s for _, s in self.unfinished.values()))


def selected(con: duckdb.DuckDBPyConnection, policy: Policy, now: float
             ) -> tuple[pd.DataFrame, dict[str, int]]:
    """(the runs ``policy`` deletes, how many it selected but keeps, by reason)."""
    if not policy.selects:
        return pd.DataFrame(columns=["run_id", "experiment", "status", "started"]), {}
    found = frame(con, """
        WITH ranked AS (
            SELECT id AS run_id, experiment, status, started,
                   coalesce(ended, last_event, started) AS ended,
                   row_number() OVER (PARTITION BY experiment
                                      ORDER BY started DESC, id DESC) AS rank
            FROM runs)
        SELECT run_id, experiment, status, started,
               CASE WHEN status = 'running' THEN 'running'
                    WHEN run_id IN (SELECT run_id FROM model_versions)
                        THEN 'a model version references it' END AS kept
        FROM ranked
        WHERE (CAST(? AS BIGINT) IS NULL OR rank > ?)
          AND (CAST(? AS DOUBLE) IS NULL OR ended < make_timestamp(CAST(? * 1e6 AS BIGINT)))
          AND (NOT ? OR list_contains(?, status))
        ORDER BY started, run_id""",
        [policy.keep_last, policy.keep_last, policy.older_than_s,
         None if policy.older_than_s is None else now - policy.older_than_s,
         policy.failed, list(FAILED)])
    kept = found["kept"].value_counts().to_dict()
    return found[found["kept"].isna()].drop(columns="kept").reset_index(drop=True), kept


def _unkept_blobs(store: Store, keeps: dict[str, bool], orphans_before: float
                 ) -> tuple[dict[str, int], dict[str, int]]:
    """(blobs only the deleted runs reference, blobs nothing references that last changed
    before ``orphans_before``), each path under ``artifacts/`` -> bytes. Only those are
    stat'ed, and the folders are read by :data:`THREADS` threads: a stat that misses the
    inode cache waits on the disk, and the waits overlap."""
    try:
        folders = [e for e in os.scandir(store.root / "artifacts") if e.is_dir()]
    except FileNotFoundError:
        return {}, {}

    def scan(folder: os.DirEntry[str]) -> tuple[dict[str, int], dict[str, int]]:
        blobs, orphans = {}, {}
        for entry in os.scandir(folder.path):
            keep = keeps.get(entry.name)
            if keep or not entry.is_file(follow_symlinks=False):
                continue
            st = entry.stat(follow_symlinks=False)
            if keep is False:
                blobs[f"{folder.name}/{entry.name}"] = st.st_size
            elif st.st_mtime < orphans_before:
                orphans[f"{folder.name}/{entry.name}"] = st.st_size
        return blobs, orphans

    blobs, orphans = {}, {}
    with ThreadPoolExecutor(THREADS) as pool:
        for found in pool.map(scan, folders):
            blobs.update(found[0])
            orphans.update(found[1])
    return blobs, orphans


def folder_bytes(path: Path) -> int:
    """The bytes of the files under ``path`` (0 when it does not exist)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def plan(con: duckdb.DuckDBPyConnection, store: Store, policy: Policy, *,
         now: float | None = None, orphan_grace_s: float = ORPHAN_GRACE_S) -> Plan:
    """What gc with ``policy`` would remove now: the runs and their files, orphaned blobs
    older than ``orphan_grace_s``, and what an interrupted gc left on disk."""
    now = time.time() if now is None else now
    runs, kept = selected(con, policy, now)
    result = files(con, store, Plan(runs, kept), now - orphan_grace_s)
    for kind, ref in unfinished(con, store):
        path = Path(file_of(store, kind, ref))
        result.unfinished[ref] = (kind, folder_bytes(path) if path.is_dir()
                                  else path.stat().st_size)
    return result


def files(con: duckdb.DuckDBPyConnection, store: Store, result: Plan,
          orphans_before: float | None) -> Plan:
    """Fill in the files of ``result``'s runs that nothing else references, and the blobs no
    row references last changed before ``orphans_before`` (None: no orphans, no scan)."""
    con.register("_doomed", pd.DataFrame({"run_id": result.runs["run_id"].astype(object)}))
    try:
        refs = db.run(con, f"""SELECT sha256, bool_or(run_id IS NULL OR run_id NOT IN
                                                     (SELECT run_id FROM _doomed))
                              FROM ({REFERENCES}) GROUP BY sha256""")
        jobs = [r for (r,) in db.run(con, "SELECT run_id FROM jobs SEMI JOIN _doomed "
                                          "USING (run_id)")]
    finally:
        con.unregister("_doomed")
    keeps = {sha: keep for sha, keep in refs}
    if orphans_before is None:
        for sha in (sha for sha, keep in keeps.items() if not keep):
            with contextlib.suppress(OSError):
                result.blobs[f"{sha[:2]}/{sha}"] = os.stat(file_of(store, "blob", sha)).st_size
    else:
        result.blobs, result.orphans = _unkept_blobs(store, keeps, orphans_before)
    jobs_dir = store.root / "jobs"
    for run_id in jobs:
        if (jobs_dir / run_id).is_dir() and not jobs_dir.is_symlink():
            result.outputs[run_id] = folder_bytes(jobs_dir / run_id)
    return result


def file_of(store: Store, kind: str, ref: str) -> str:
    """Where a freed file lives: a blob under ``artifacts/`` (``ref``: its path there, or
    its sha256), a job's folder under ``jobs/`` (``ref``: the run id). A string: gc joins
    one per file, and pathlib's joins cost more than the unlinks."""
    if kind == "job_output":
        return os.path.join(store.root, "jobs", ref)
    return os.path.join(store.root, "artifacts", ref if "/" in ref else f"{ref[:2]}/{ref}")


def unfinished(con: duckdb.DuckDBPyConnection, store: Store) -> list[tuple[str, str]]:
    """(kind, ref) of files an earlier gc recorded as freed that are still on disk (it was
    stopped between its tombstones and the removal), unless a row references them again."""
    rows = db.run(con, f"""SELECT DISTINCT kind, ref FROM freed_files
                          WHERE kind = 'job_output' OR split_part(ref, '/', 2) NOT IN
                              (SELECT sha256 FROM ({REFERENCES}))""")
    # a ref comes from an event anyone who can write the spool could have written
    return [(kind, ref) for kind, ref in rows if _SAFE_REF.fullmatch(ref)
            and os.path.lexists(file_of(store, kind, ref))]


def deletions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The audit trail: every deleted run, who deleted it, why and when."""
    return frame(con, "SELECT run_id, deleted_by, reason, ts FROM run_deletions ORDER BY ts")
