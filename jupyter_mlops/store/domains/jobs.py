"""Jobs: executions (a job is a run of kind 'job'), the slots schedulers claim, schedules
(the latest state of each name wins), requests for the scheduler daemon, and the lineage
from schedules and parent runs to each job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ... import events as ev
from ...exceptions import NotFound
from .. import Store, db
from ..read import frame, log, mapping, missing, reading, resolve_run
from . import TS, Domain, edges_from, events_table

if TYPE_CHECKING:
    pass

_STARTED, _ENDED = events_table(ev.JOB_STARTED), events_table(ev.JOB_ENDED)
_CLAIMED, _SCHEDULE = events_table(ev.JOB_CLAIMED), events_table(ev.SCHEDULE)
_REQUESTED = events_table(ev.JOB_REQUESTED)
_RUNNER = {"host": "VARCHAR", "pid": "INTEGER", "pid_started": "DOUBLE"}

DOMAIN = Domain(
    name="jobs",
    payloads={
        ev.JOB_STARTED: {"notebook": "VARCHAR", "notebook_sha": "VARCHAR", "params": "JSON",
                         "schedule": "VARCHAR", "trigger": "VARCHAR", "request": "VARCHAR",
                         "reproduces": "VARCHAR", "parent_run": "VARCHAR",
                         "executor": "VARCHAR", "timeout_s": "DOUBLE",
                         "scheduled_for": "DOUBLE", "output": "VARCHAR", **_RUNNER},
        ev.JOB_ENDED: {"status": "VARCHAR", "reason": "VARCHAR", "failed_cell": "INTEGER",
                       "error_type": "VARCHAR", "error_message": "VARCHAR",
                       "traceback": "VARCHAR", "output": "VARCHAR", "output_sha": "VARCHAR"},
        ev.JOB_CLAIMED: {"schedule": "VARCHAR", "scheduled_for": "DOUBLE",
                         "request": "VARCHAR", **_RUNNER},
        ev.SCHEDULE: {"name": "VARCHAR", "state": "JSON", "removed": "BOOLEAN"},
        ev.JOB_REQUESTED: {"schedule": "VARCHAR", "params": "JSON", "parent_run": "VARCHAR"},
    },
    migrations={
        6: """
        CREATE TABLE jobs (
            run_id VARCHAR, notebook VARCHAR, notebook_sha VARCHAR, params VARCHAR,
            schedule VARCHAR, trigger VARCHAR, request VARCHAR, reproduces VARCHAR,
            parent_run VARCHAR, executor VARCHAR, timeout_s DOUBLE, scheduled_for TIMESTAMP,
            host VARCHAR, pid INTEGER, started TIMESTAMP, ended TIMESTAMP, status VARCHAR,
            reason VARCHAR, failed_cell INTEGER, error_type VARCHAR, error_message VARCHAR,
            traceback VARCHAR, output VARCHAR, output_sha VARCHAR);
        CREATE TABLE schedule_events (
            event_id VARCHAR, name VARCHAR, state VARCHAR, removed BOOLEAN, ts TIMESTAMP);
        CREATE VIEW schedules AS
        SELECT name, state, created, updated FROM (
            SELECT name, arg_max(state, event_id) AS state,
                   arg_max(removed, event_id) AS removed, min(ts) AS created,
                   max(ts) AS updated
            FROM schedule_events GROUP BY name)
        WHERE NOT removed;
        CREATE TABLE job_requests (
            id VARCHAR, schedule VARCHAR, params VARCHAR, parent_run VARCHAR, ts TIMESTAMP);
        """,
        # 9: a job's runner is known by pid and start time (a reused pid is not it), and a
        # scheduler claims each slot before its job starts, so a successor daemon never
        # runs a slot twice
        9: """
        ALTER TABLE jobs ADD COLUMN pid_started DOUBLE;
        CREATE TABLE job_claims (
            run_id VARCHAR, schedule VARCHAR, scheduled_for TIMESTAMP, request VARCHAR,
            host VARCHAR, pid INTEGER, pid_started DOUBLE, claimed TIMESTAMP,
            ended TIMESTAMP);
        """,
    },
    inserts=[
        f"""INSERT INTO jobs BY NAME
        SELECT run_id, notebook, notebook_sha, params, schedule, trigger, request,
               reproduces, parent_run, executor, timeout_s,
               {TS.format("scheduled_for")} AS scheduled_for, host, pid, pid_started,
               ts AS started, 'running' AS status, output
        FROM {_STARTED}""",
        f"""INSERT INTO job_claims BY NAME
        SELECT run_id, schedule, {TS.format("scheduled_for")} AS scheduled_for, request,
               host, pid, pid_started, ts AS claimed
        FROM {_CLAIMED}""",
        f"""INSERT INTO schedule_events
        SELECT id, name, state, coalesce(removed, false), ts FROM {_SCHEDULE}""",
        f"""INSERT INTO job_requests
        SELECT id, schedule, params, parent_run, ts FROM {_REQUESTED}""",
        edges_from(_STARTED, "run", "run_id", [
            ("schedule", "schedule", "scheduled", "NULL"),
            ("run", "parent_run", "triggered", "NULL"),
            ("run", "reproduces", "reproduced_by", "NULL")]),
    ],
    updates=[
        f"""UPDATE jobs SET status = u.q.status, reason = u.q.reason, ended = u.ts,
                          failed_cell = u.q.failed_cell, error_type = u.q.error_type,
                          error_message = u.q.error_message, traceback = u.q.traceback,
                          output = coalesce(u.q.output, jobs.output),
                          output_sha = u.q.output_sha
        FROM (SELECT run_id, arg_max({{'status': status, 'reason': reason,
                                       'failed_cell': failed_cell, 'error_type': error_type,
                                       'error_message': error_message,
                                       'traceback': traceback, 'output': output,
                                       'output_sha': output_sha}}, id) AS q,
                     arg_max(ts, id) AS ts
              FROM {_ENDED} GROUP BY run_id) u
        WHERE jobs.run_id = u.run_id""",
        f"""UPDATE job_claims SET ended = u.ts
        FROM (SELECT run_id, max(ts) AS ts FROM {_ENDED} GROUP BY run_id) u
        WHERE job_claims.run_id = u.run_id AND job_claims.ended IS NULL""",
    ],
)


# Reads

_JOB_COLUMNS = """j.run_id, r.experiment, j.notebook, j.status, j.reason, j.started, j.ended,
    date_diff('millisecond', j.started, j.ended) / 1000.0 AS duration_s, j.schedule,
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
