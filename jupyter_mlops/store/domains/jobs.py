"""Jobs: executions (a job is a run of kind 'job'), the slots schedulers claim, schedules
(the latest state of each name wins), requests for the scheduler daemon, and the lineage
from schedules and parent runs to each job."""

from __future__ import annotations

from ... import events as ev
from .base import TS, Domain, edges_from, events_table

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
        # 12: whose process ran each job (``host`` was already recorded)
        12: 'ALTER TABLE jobs ADD COLUMN "user" VARCHAR;',
    },
    inserts=[
        f"""INSERT INTO jobs BY NAME
        SELECT run_id, notebook, notebook_sha, params, schedule, trigger, request,
               reproduces, parent_run, executor, timeout_s,
               {TS.format("scheduled_for")} AS scheduled_for, coalesce(host, by_host) AS host,
               by_user AS "user", pid, pid_started, ts AS started, 'running' AS status, output
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
