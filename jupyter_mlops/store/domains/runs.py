"""Runs and tracking: experiments, runs, their environments, params and metrics."""

from __future__ import annotations

from ... import events as ev
from ..names import derive_sql
from .base import Domain, events_table, parts

_STARTED, _UPDATED = events_table(ev.RUN_STARTED), events_table(ev.RUN_UPDATED)
_ENV, _ENDED = events_table(ev.RUN_ENVIRONMENT), events_table(ev.RUN_ENDED)
_PARAMS, _METRICS = events_table(ev.PARAMS), events_table(ev.METRICS)
_RENAMED = events_table(ev.RUN_RENAMED)

#: A spool file's writer: its name without the segment number (ingest's one definition).
WRITER = r"regexp_extract(file, '^(.*)-[^-]*$', 1)"


#: The runs a batch starts, in :func:`.base.parts`: deriving the names of a large batch's
#: runs is one thread's work otherwise.
_NEW_RUNS = parts(f"""
        SELECT n.run_id AS id, coalesce(n.name, {derive_sql("n.run_id", "notebook")}) AS name,
               experiment, kind, 'running' AS status, n.ts AS started,
               l.ts AS last_event, notebook, notebook_hash, parent_run,
               coalesce(host, by_host) AS host, by_user AS "user", pid, {WRITER} AS writer
        FROM {_STARTED} n LEFT JOIN _last l USING (run_id)
        WHERE {{part}}""", "hash(n.run_id)")


def _pairs(table: str, column: str, convert: str, *extra: str) -> str:
    """One row per key of each event's JSON object ``column``: event_id, run_id, seq, key,
    value (``convert``, SQL with ``{}`` for the list of the object's values as JSON), ts,
    then the ``extra`` columns. ``json_keys`` and ``$.*`` list an object's keys and values
    in the same order, and cost a third of what DuckDB takes to build a MAP; anything but
    an object gives no rows (``from_json`` re-serialises a JSON field, so it starts with "{"
    exactly when it is an object, which spares a third parse of each). In
    :func:`.base.parts` by a hash of the event id: these are the largest inserts of a
    batch, and one thread would write them all."""
    values = convert.format(f"json_extract({column}, '$.*')")
    return parts(f"""SELECT id AS event_id, run_id, coalesce(seq, cell_seq) AS seq,
               unnest(json_keys({column})) AS key, unnest({values}) AS value,
               {"".join(c + ", " for c in extra)}ts
        FROM {table}
        WHERE starts_with(CAST({column} AS VARCHAR), '{{') AND {{part}}""", "hash(id)")


DOMAIN = Domain(
    name="runs",
    payloads={
        ev.RUN_STARTED: {"name": "VARCHAR", "experiment": "VARCHAR", "kind": "VARCHAR",
                         "notebook": "VARCHAR", "notebook_hash": "VARCHAR", "parent_run": "VARCHAR",
                         "host": "VARCHAR", "pid": "INTEGER"},
        ev.RUN_UPDATED: {"experiment": "VARCHAR"},
        ev.RUN_ENVIRONMENT: {"env_id": "VARCHAR", "git_commit": "VARCHAR",
                             "git_dirty": "BOOLEAN", "notebook_hash": "VARCHAR",
                             "environment": {"python": "VARCHAR", "platform": "VARCHAR",
                                             "hostname": "VARCHAR", "kernel": "VARCHAR",
                                             "packages": "JSON"}},
        ev.RUN_ENDED: {"status": "VARCHAR"},
        ev.RUN_RENAMED: {"name": "VARCHAR"},
        # ``cell_seq``: the name writers used before ``seq`` (schema 10). The key/value
        # objects stay JSON: see :func:`_pairs` (a MAP costs 3-5x the parse)
        ev.PARAMS: {"seq": "INTEGER", "cell_seq": "INTEGER", "params": "JSON"},
        ev.METRICS: {"seq": "INTEGER", "cell_seq": "INTEGER", "step": "BIGINT",
                     "metrics": "JSON"},
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
        # 12: who started each run (the writer's login; ``host`` was already recorded), and
        # a name people read (runs from before it get the one a rebuild derives)
        12: f"""
        ALTER TABLE runs ADD COLUMN "user" VARCHAR;
        ALTER TABLE runs ADD COLUMN name VARCHAR;
        UPDATE runs SET name = {derive_sql("id", "notebook")};
        """,
    },
    inserts=[
        f"INSERT INTO runs BY NAME {_NEW_RUNS}",
        f"""INSERT INTO experiments
        SELECT experiment, min(ts) FROM (
            SELECT experiment, ts FROM {_STARTED} UNION ALL
            SELECT experiment, ts FROM {_UPDATED}) n
        WHERE experiment IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM experiments e WHERE e.name = n.experiment)
        GROUP BY experiment""",
        # params: any JSON value, kept as JSON text; metrics: numbers
        f"""INSERT INTO params BY NAME
        SELECT * REPLACE (nullif(value, 'null') AS value)
        FROM ({_pairs(_PARAMS, "params", "{}")})""",
        f"""INSERT INTO metrics BY NAME
        {_pairs(_METRICS, "metrics", "TRY_CAST({} AS DOUBLE[])", "step")}""",
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
        f"""UPDATE runs SET name = u.name
        FROM (SELECT run_id, arg_max(name, id) AS name FROM {_RENAMED}
              WHERE name IS NOT NULL GROUP BY run_id) u
        WHERE runs.id = u.run_id""",
        """UPDATE runs SET last_event = u.ts FROM _last u
        WHERE runs.id = u.run_id AND (runs.last_event IS NULL OR runs.last_event < u.ts)""",
    ],
)
