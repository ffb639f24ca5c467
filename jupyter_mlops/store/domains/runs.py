"""Runs and tracking: experiments, runs, their environments, params and metrics."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ... import events as ev
from .. import Store, db, recent
from ..read import decode, frame, latest, reading, refresh, resolve_run
from . import Domain, events_table

_STARTED, _UPDATED = events_table(ev.RUN_STARTED), events_table(ev.RUN_UPDATED)
_ENV, _ENDED = events_table(ev.RUN_ENVIRONMENT), events_table(ev.RUN_ENDED)
_PARAMS, _METRICS = events_table(ev.PARAMS), events_table(ev.METRICS)

#: A spool file's writer: its name without the segment number (ingest's one definition).
WRITER = r"regexp_extract(file, '^(.*)-[^-]*$', 1)"

DOMAIN = Domain(
    name="runs",
    payloads={
        ev.RUN_STARTED: {"experiment": "VARCHAR", "kind": "VARCHAR", "notebook": "VARCHAR",
                         "notebook_hash": "VARCHAR", "parent_run": "VARCHAR",
                         "host": "VARCHAR", "pid": "INTEGER"},
        ev.RUN_UPDATED: {"experiment": "VARCHAR"},
        ev.RUN_ENVIRONMENT: {"env_id": "VARCHAR", "git_commit": "VARCHAR",
                             "git_dirty": "BOOLEAN", "notebook_hash": "VARCHAR",
                             "environment": {"python": "VARCHAR", "platform": "VARCHAR",
                                             "hostname": "VARCHAR", "kernel": "VARCHAR",
                                             "packages": "JSON"}},
        ev.RUN_ENDED: {"status": "VARCHAR"},
        # ``cell_seq``: the name writers used before ``seq`` (schema 10)
        ev.PARAMS: {"seq": "INTEGER", "cell_seq": "INTEGER", "params": "MAP(VARCHAR, JSON)"},
        ev.METRICS: {"seq": "INTEGER", "cell_seq": "INTEGER", "step": "BIGINT",
                     "metrics": "MAP(VARCHAR, DOUBLE)"},
    },
    migrations={
        1: """
        CREATE TABLE experiments (name VARCHAR, created TIMESTAMP);
        CREATE TABLE runs (
            id VARCHAR, experiment VARCHAR, kind VARCHAR, status VARCHAR,
            started TIMESTAMP, ended TIMESTAMP, last_event TIMESTAMP,
            notebook VARCHAR, notebook_hash VARCHAR, git_commit VARCHAR, git_dirty BOOLEAN,
            env_id VARCHAR, parent_run VARCHAR, host VARCHAR, pid INTEGER, writer VARCHAR);
        CREATE TABLE params (
            event_id VARCHAR, run_id VARCHAR, cell_seq INTEGER, key VARCHAR, value VARCHAR,
            ts TIMESTAMP);
        CREATE TABLE metrics (
            event_id VARCHAR, run_id VARCHAR, cell_seq INTEGER, key VARCHAR, value DOUBLE,
            step BIGINT, ts TIMESTAMP);
        CREATE TABLE environments (
            id VARCHAR, python VARCHAR, platform VARCHAR, hostname VARCHAR, kernel VARCHAR,
            packages VARCHAR, first_seen TIMESTAMP);
        """,
        # 10: one name for a cell's position in its run
        10: """
        ALTER TABLE params RENAME COLUMN cell_seq TO seq;
        ALTER TABLE metrics RENAME COLUMN cell_seq TO seq;
        """,
    },
    inserts=[
        f"""INSERT INTO runs BY NAME
        SELECT n.run_id AS id, experiment, kind, 'running' AS status, n.ts AS started,
               l.ts AS last_event, notebook, notebook_hash, parent_run, host, pid,
               {WRITER} AS writer
        FROM {_STARTED} n LEFT JOIN _last l USING (run_id)""",
        f"""INSERT INTO experiments
        SELECT experiment, min(ts) FROM (
            SELECT experiment, ts FROM {_STARTED} UNION ALL
            SELECT experiment, ts FROM {_UPDATED}) n
        WHERE experiment IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM experiments e WHERE e.name = n.experiment)
        GROUP BY experiment""",
        # params: any JSON value, kept as JSON text; metrics: numbers
        f"""INSERT INTO params BY NAME
        SELECT id AS event_id, run_id, coalesce(seq, cell_seq) AS seq,
               unnest(map_keys(params)) AS key, unnest(map_values(params)) AS value, ts
        FROM {_PARAMS}""",
        f"""INSERT INTO metrics BY NAME
        SELECT id AS event_id, run_id, coalesce(seq, cell_seq) AS seq,
               unnest(map_keys(metrics)) AS key, unnest(map_values(metrics)) AS value,
               step, ts
        FROM {_METRICS}""",
        f"""INSERT INTO environments
        SELECT env_id, environment.python, environment.platform, environment.hostname,
               environment.kernel, environment.packages, ts
        FROM {_ENV} n WHERE env_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM environments e WHERE e.id = n.env_id)
        QUALIFY row_number() OVER (PARTITION BY env_id ORDER BY id) = 1""",
    ],
    updates=[
        # the latest event of each kind per run wins
        f"""UPDATE runs SET experiment = u.experiment
        FROM (SELECT run_id, arg_max(experiment, id) AS experiment FROM {_UPDATED}
              GROUP BY run_id) u
        WHERE runs.id = u.run_id""",
        f"""UPDATE runs SET env_id = u.q.env_id, git_commit = u.q.git_commit,
                          git_dirty = u.q.git_dirty,
                          notebook_hash = coalesce(u.q.notebook_hash, runs.notebook_hash)
        FROM (SELECT run_id, arg_max({{'env_id': env_id, 'git_commit': git_commit,
                                       'git_dirty': git_dirty,
                                       'notebook_hash': notebook_hash}}, id) AS q
              FROM {_ENV} GROUP BY run_id) u
        WHERE runs.id = u.run_id""",
        f"""UPDATE runs SET status = u.status, ended = u.ended
        FROM (SELECT run_id, arg_max(coalesce(status, 'finished'), id) AS status,
                     arg_max(ts, id) AS ended
              FROM {_ENDED} GROUP BY run_id) u
        WHERE runs.id = u.run_id""",
        """UPDATE runs SET last_event = u.ts FROM _last u
        WHERE runs.id = u.run_id AND (runs.last_event IS NULL OR runs.last_event < u.ts)""",
    ],
)


# Reads

def runs(
    store: Store,
    *,
    experiment: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 50,
) -> pd.DataFrame:
    """Recent runs, newest first, with the latest value of each param and metric as columns.

    Answered from the recent-runs projection that ingest writes when it is current and can
    answer exactly; from DuckDB otherwise.
    """
    refresh(store)
    answer = recent.read(store, experiment=experiment, status=status, kind=kind, limit=limit)
    if answer is None:
        with db.connect(store, write=False, threads=1) as con:
            answer = recent.fetch(con, experiment=experiment, status=status, kind=kind,
                                  limit=limit)
    columns, records = answer
    found = pd.DataFrame(records, columns=columns)
    for name in ("started", "ended"):
        found[name] = pd.to_datetime(found[name], utc=True)
    rows: list[dict[str, Any]] = [{} for _ in range(len(found))]
    for prefix, keys, values, convert in (("params.", "param_keys", "param_values", decode),
                                          ("metrics.", "metric_keys", "metric_values", float)):
        for row, ks, vs in zip(rows, found.pop(keys), found.pop(values), strict=True):
            if ks:  # None when the run has none
                row.update((prefix + k, None if v is None else convert(v))
                           for k, v in zip(ks, vs, strict=True))
    wide = pd.DataFrame(rows, index=found.index, dtype=object)
    wide = wide[sorted(wide.columns, key=lambda c: (not c.startswith("params."), c))]
    for name in wide.columns:
        if name.startswith("metrics."):
            wide[name] = wide[name].astype(float)
    return pd.concat([found, wide], axis=1)


def run(store: Store, run_id: str) -> dict[str, Any]:
    """One run: its row, params, latest metrics, and environment."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        row: dict[str, Any] = frame(con, f"""SELECT {recent.RUN_COLUMNS}, r.host, r.pid,
                                 (SELECT count(*) FROM cells c WHERE c.run_id = r.id) AS cells
                              FROM runs r WHERE r.id = ?""", [run_id]).iloc[0].to_dict()
        params = dict(db.run(con, latest("params") + " ORDER BY key", [run_id]))
        metrics = dict(db.run(con, latest("metrics") + " ORDER BY key", [run_id]))
        envs = db.run(
            con, "SELECT python, platform, hostname, kernel, packages FROM environments "
            "WHERE id = ?", [row["env_id"]])
        env = envs[0] if envs else None
    row["params"] = {k: decode(v) for k, v in params.items()}
    row["metrics"] = metrics
    row["environment"] = None if env is None else {
        "python": env[0], "platform": env[1], "hostname": env[2], "kernel": env[3],
        "packages": json.loads(env[4] or "{}"),
    }
    return row


def metric_history(store: Store, run_id: str, key: str) -> pd.DataFrame:
    """Every logged value of one metric of a run, in logging order."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        return frame(con, """
            SELECT step, value, ts, seq FROM metrics
            WHERE run_id = ? AND key = ? ORDER BY event_id""", [run_id, key])


def experiments(store: Store) -> pd.DataFrame:
    with reading(store) as con:
        return frame(con, """
            SELECT e.name, e.created, count(r.id) AS runs, max(r.started) AS last_run
            FROM experiments e LEFT JOIN runs r ON r.experiment = e.name
            GROUP BY e.name, e.created ORDER BY last_run DESC NULLS LAST""")


def summary(store: Store) -> dict[str, Any]:
    """Counts and the schema version, for `doctor` and health checks."""
    with reading(store) as con:
        counts = {t: db.scalar(con, f"SELECT count(*) FROM {t}")
                  for t in ("runs", "cells", "params", "metrics", "datasets", "event_log")}
        version = db.scalar(con, "SELECT max(version) FROM schema_version")
    return {"schema_version": version, "counts": counts}
