"""Reads of the jobs domain (gathered into :mod:`jupyter_mlops.store.queries`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ...exceptions import NotFound
from .. import Store, db
from ..read import frame, log, mapping, missing, reading, resolve_run

if TYPE_CHECKING:
    pass


_JOB_COLUMNS = """j.run_id, r.name, r.experiment, j.notebook, j.status, j.reason, j.started,
    j.ended, date_diff('millisecond', j.started, j.ended) / 1000.0 AS duration_s, j.schedule,
    j.trigger, j.params, j.failed_cell, j.error_type, j.error_message, j.output, j.output_sha,
    j.notebook_sha, j.reproduces, j.parent_run, j.request, j.scheduled_for, j.executor,
    j.timeout_s, j.host, j.pid, j.pid_started"""


def jobs(store: Store, *, status: str | None = None, schedule: str | None = None,
         limit: int = 50) -> pd.DataFrame:
    """Recent job executions, newest first (``params`` decoded)."""
    with reading(store) as con:
        found = frame(con, f"""
            SELECT {_JOB_COLUMNS} FROM jobs j LEFT JOIN runs r ON r.id = j.run_id
            WHERE (? IS NULL OR j.status = ?) AND (? IS NULL OR j.schedule = ?)
            ORDER BY j.started DESC, j.run_id DESC LIMIT ?""",
            [status, status, schedule, schedule, int(limit)])
    found["params"] = found["params"].map(mapping).astype(object)
    return found


def job(store: Store, run_id: str) -> dict[str, Any]:
    """One job execution by run id (or unique prefix), ``params`` decoded."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        found = frame(con, f"SELECT {_JOB_COLUMNS} FROM jobs j LEFT JOIN runs r "
                            f"ON r.id = j.run_id WHERE j.run_id = ?", [run_id])
    if found.empty:
        raise NotFound(f"run {run_id[:12]} is not a job: it was not started by "
                         f"`jupyter mlops run`. `jupyter mlops jobs` lists the jobs.")
    row = {k: None if missing(v) else v for k, v in found.iloc[0].to_dict().items()}
    row["params"] = mapping(row["params"])
    return row


def schedules(store: Store) -> pd.DataFrame:
    """Every schedule with its settings, its last fire time and its last job."""
    with reading(store) as con:
        found = frame(con, """
            SELECT s.name, s.state, s.created, s.updated,
                   greatest((SELECT max(scheduled_for) FROM jobs j WHERE j.schedule = s.name),
                            (SELECT max(scheduled_for) FROM job_claims c
                             WHERE c.schedule = s.name)) AS last_fired,
                   (SELECT arg_max(status, started) FROM jobs j WHERE j.schedule = s.name)
                       AS last_status,
                   (SELECT max(started) FROM jobs j WHERE j.schedule = s.name) AS last_started
            FROM schedules s ORDER BY s.name""")
    found["state"] = found["state"].map(mapping).astype(object)
    usable = found["state"].map(lambda state: isinstance(state, dict) and all(
        isinstance(state.get(key), str) for key in ("notebook", "cron")))
    for name in found.name[~usable]:
        log.warning("jupyter-mlops: schedule %r has no notebook or cron recorded; it is "
                    "skipped. Add it again: `jupyter mlops schedule add ... --replace`", name)
    return found[usable].reset_index(drop=True)


def pending_requests(store: Store) -> pd.DataFrame:
    """Requests for the scheduler daemon that no job has answered yet, oldest first."""
    with reading(store) as con:
        found = frame(con, """
            SELECT q.id, q.schedule, q.params, q.parent_run, q.ts FROM job_requests q
            WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.request = q.id)
              AND NOT EXISTS (SELECT 1 FROM job_claims c WHERE c.request = q.id)
            ORDER BY q.id""")
    found["params"] = found["params"].map(mapping).astype(object)
    return found


def slot_taken(store: Store, schedule: str, scheduled_for: float | None,
               request: str | None) -> bool:
    """Whether a job of ``schedule`` for this fire time, or answering this request, was
    claimed or started already."""
    with reading(store) as con:
        return bool(db.scalar(con, """
            SELECT count(*) FROM (SELECT schedule, scheduled_for, request FROM jobs
                                  UNION ALL
                                  SELECT schedule, scheduled_for, request FROM job_claims)
            WHERE schedule = ? AND (scheduled_for = make_timestamp(CAST(? * 1000000 AS BIGINT))
                                    OR request = ?)""", [schedule, scheduled_for, request]))


def open_claims(store: Store, host: str) -> pd.DataFrame:
    """Claims made by schedulers on ``host`` whose job has not ended, oldest first."""
    with reading(store) as con:
        return frame(con, """
            SELECT c.run_id, c.schedule, c.scheduled_for, c.request, c.pid, c.pid_started,
                   c.claimed, j.status
            FROM job_claims c LEFT JOIN jobs j ON j.run_id = c.run_id
            WHERE c.host = ? AND c.ended IS NULL AND coalesce(j.status, 'running') = 'running'
            ORDER BY c.claimed""", [host])
