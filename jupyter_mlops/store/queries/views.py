"""The documented read-only views ``mlops.sql`` and ``mlops.runs`` answer over (the guard that
keeps a user's SQL a read is :mod:`.user_sql`).

The views are TEMP views made on each read connection, not a migration: ``runs_wide`` has a
column per param and metric key, which a stored view cannot follow as keys appear, and views
kept in code change with the package (a change is a CHANGELOG entry) without a schema version.
A user's SQL is checked with DuckDB's own parser (one SELECT, only these views and its own
CTEs, no table functions), then run with file access disabled on the connection, under the
store's shared lock, and interrupted when it outlives its timeout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import recent
from ..db import scalar

if TYPE_CHECKING:
    import duckdb

#: name -> (what it holds, its SELECT, ``{b}`` before each table: the views shadow the tables
#: they share a name with). ``runs_wide`` is made by :func:`runs_wide_sql`.
VIEWS: dict[str, tuple[str, str]] = {
    "runs_wide": ("One row per run: the run's columns, then one `params.KEY` column per param "
                  "key (its last value: BIGINT when every value logged is a whole number, "
                  "DOUBLE when a number, BOOLEAN when true/false, else text) and one "
                  "`metrics.KEY` column per metric key (its last value).", ""),
    "metric_history": ("Every logged value of every metric, `seq` the cell that logged it.",
                       "SELECT run_id, key, step, value, ts, seq, event_id FROM {b}metrics"),
    "cells": ("Every recorded cell execution.", """
        SELECT run_id, seq, cell_id, event_id, execution_count, source, source_hash, started,
               duration_ms, status, error_type, error_message, reads, writes FROM {b}cells"""),
    "datasets": ("Every dataset fingerprint seen, with its shape and schema (JSON).",
                 "SELECT fingerprint, kind, shape, schema, nbytes, first_seen FROM {b}datasets"),
    "lineage_edges": ("The provenance graph's edges: `src` -`relation`-> `dst` (kinds: "
                      "dataset, cell, fit, run, model_version, alias, drift_report).", """
        SELECT src_kind, src_id, dst_kind, dst_id, relation, name, run_id, ts
        FROM {b}lineage_edges"""),
    "model_versions": ("Every registered model version.", """
        SELECT name, version, run_id, artifact, format, flavor, metrics, params, data, size,
               created, "user", host FROM {b}model_versions"""),
    "alias_history": ("Every move of a model alias, in the order they happened.", """
        SELECT name, alias, version, previous, set_by, gate, created, "user", host
        FROM {b}aliases"""),
    "drift_columns": ("One row per column of each drift report, with its report's context.",
                      """
        SELECT c.report_id, r.run_id, r.created, r.reference_name, r.model, c.column_name,
               c.kind, c.method, c.statistic, c.p_value, c.p_adjusted, c.effect,
               c.effect_name, c.threshold, c.drifted, c.psi, c.js, c.tvd,
               c.missing_reference, c.missing_current, c.missing_drifted, c.new_categories,
               c.vanished_categories, c.skipped
        FROM {b}drift_columns c JOIN {b}drift_reports r ON r.id = c.report_id"""),
    "jobs": ("Every papermill job: its notebook, trigger, outcome and timing.", """
        SELECT run_id, notebook, schedule, trigger, executor, status, reason, scheduled_for,
               started, ended, date_diff('millisecond', started, ended) / 1000.0 AS duration_s,
               failed_cell, error_type, error_message, params, parent_run, reproduces
        FROM {b}jobs"""),
}


#: (what it answers, the SQL): shown in docs/sql.md, and each is run by the tests.
EXAMPLES = [
    ("The ten best runs of an experiment by a metric's last value",
     """SELECT run_id, started, "params.max_depth", "metrics.auc"
FROM runs_wide
WHERE experiment = 'churn' AND "metrics.auc" IS NOT NULL
ORDER BY "metrics.auc" DESC
LIMIT 10"""),
    ("The best step of each run's metric (not the last)",
     """SELECT run_id, arg_max(step, value) AS best_step, max(value) AS best
FROM metric_history
WHERE key = 'auc'
GROUP BY run_id"""),
    ("The slowest cells, and which runs they were in",
     """SELECT run_id, seq, duration_ms, left(source, 60) AS source
FROM cells
ORDER BY duration_ms DESC
LIMIT 20"""),
    ("Children whose parent run had a given param",
     """SELECT child.run_id, child."metrics.auc"
FROM runs_wide child JOIN runs_wide parent ON child.parent_run = parent.run_id
WHERE parent."params.model" = 'rf'"""),
    ("Where each alias pointed, in order",
     """SELECT name, alias, previous, version, set_by, created
FROM alias_history ORDER BY created"""),
    ("Columns that drifted most often",
     """SELECT column_name, count(*) FILTER (WHERE drifted) AS times_drifted, count(*) AS reports
FROM drift_columns GROUP BY column_name ORDER BY times_drifted DESC"""),
    ("Failed jobs of the last week",
     """SELECT run_id, notebook, schedule, error_type, failed_cell, started
FROM jobs
WHERE status = 'failed' AND started > now() - INTERVAL 7 DAY"""),
]


def quote(name: str) -> str:
    """``name`` as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _base(con: duckdb.DuckDBPyConnection) -> str:
    """The prefix naming the store's own tables (``"db".main.``), past any TEMP view."""
    return f"{quote(str(scalar(con, 'SELECT current_database()')))}.main."


def _keys(con: duckdb.DuckDBPyConnection, b: str, among: tuple[str, str] = ("", "")
          ) -> tuple[list[tuple[str, str]], list[str]]:
    """(param key, its column's SQL value) and metric keys, sorted, of the rows ``among``
    selects (a WHERE for params, one for metrics). A param is BIGINT when every value logged
    (JSON) is a whole number, DOUBLE when a number, BOOLEAN when true or false, else text (a
    JSON string unquoted; a list or object as its JSON)."""
    params = con.execute(f"""
        SELECT key, CASE
            WHEN bool_and(regexp_full_match(value, '-?[0-9]+') OR value = 'null')
                THEN 'TRY_CAST(value AS BIGINT)'
            WHEN bool_and(TRY_CAST(value AS DOUBLE) IS NOT NULL OR value = 'null')
                THEN 'TRY_CAST(value AS DOUBLE)'
            WHEN bool_and(value IN ('true', 'false', 'null'))
                THEN 'TRY_CAST(value AS BOOLEAN)'
            ELSE 'CASE WHEN json_valid(value) THEN json_extract_string(value, ''$'') ELSE value END'
            END
        FROM {b}params{among[0]} GROUP BY key ORDER BY key""").fetchall()
    metrics = [k for (k,) in con.execute(
        f"SELECT DISTINCT key FROM {b}metrics{among[1]} ORDER BY key").fetchall()]
    return [(k, str(v)) for k, v in params], metrics


def runs_wide_sql(con: duckdb.DuckDBPyConnection, *, where: str = "",
                  aggregates: list[tuple[str, str, str]] | None = None,
                  only: set[str] | None = None, ids: list[str] | None = None) -> str:
    """The runs_wide query: runs joined to one pivot of their latest params (aliased
    ``params``) and one of their metrics (``metrics``), so that a ``where`` may say
    ``params.lr`` as well as ``"params.lr"``. ``aggregates`` adds ``metrics.KEY:NAME``
    columns (key, name, SQL aggregate: ``("loss", "best", "min")``); ``where`` is a
    checked predicate (see :func:`check_where`); ``only`` keeps just these
    ``params.KEY``/``metrics.KEY`` columns; ``ids`` pivots only these runs, with the keys
    they have (a page's columns, after a narrow query chose it). Looking the keys up reads
    every param: ``only`` and ``ids`` narrow that too."""
    b = _base(con)
    among = ("" if ids is None else
             f" WHERE run_id IN ({', '.join(map(_literal, ids)) or 'NULL'})")
    narrow = (among, among)
    if only is not None:
        only = only | {f"metrics.{k}" for k, _, _ in aggregates or []}
        narrow = (_named_keys(only, "params."), _named_keys(only, "metrics."))
    params, metrics = _keys(con, b, narrow)
    param_cols = [f"arg_max({value}, event_id) FILTER (WHERE key = {_literal(k)}) AS {quote(k)}"
                  for k, value in params]
    metric_cols = [f"arg_max(value, event_id) FILTER (WHERE key = {_literal(k)}) AS {quote(k)}"
                   for k in metrics]
    metric_cols += [f"{fn}(value) FILTER (WHERE key = {_literal(k)}) AS {quote(f'{k}:{n}')}"
                    for k, n, fn in aggregates or []]
    counted = only is None or "cells" in only
    select = [recent.RUN_COLUMNS, "coalesce(cc.cells, 0) AS cells" if counted else "0 AS cells"]
    select += [f"params.{quote(k)} AS {quote('params.' + k)}" for k, _ in params]
    select += [f"metrics.{quote(k)} AS {quote('metrics.' + k)}" for k in metrics]
    select += [f"metrics.{quote(f'{k}:{n}')} AS {quote(f'metrics.{k}:{n}')}"
               for k, n, _ in aggregates or []]
    joins = (f"\nLEFT JOIN (SELECT run_id AS __run, count(*) AS cells FROM {b}cells{among} "
             f"GROUP BY run_id) cc ON cc.__run = r.id" if counted else "")
    for alias, cols, rows in (("params", param_cols, narrow[0]),
                              ("metrics", metric_cols, narrow[1])):
        if cols:
            joins += (f"\nLEFT JOIN (SELECT run_id AS __run, {', '.join(cols)} FROM {b}{alias}"
                      f"{rows} GROUP BY run_id) {alias} ON {alias}.__run = r.id")
    if ids is not None:
        where = f"r.id IN ({', '.join(map(_literal, ids)) or 'NULL'})"
    return (f"SELECT {', '.join(select)}\nFROM {b}runs r{joins}"
            + (f"\nWHERE (\n{where}\n)" if where else ""))


def _named_keys(named: set[str], prefix: str) -> str:
    """A WHERE keeping the keys of the ``prefix`` columns among ``named``."""
    keys = [_literal(n[len(prefix):]) for n in sorted(named) if n.startswith(prefix)]
    return f" WHERE key IN ({', '.join(keys) or 'NULL'})"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def install(con: duckdb.DuckDBPyConnection, names: set[str] | None = None) -> None:
    """Make the documented views (or these of them) on this connection; TEMP, so the store
    file is not written. runs_wide looks up every key: made only where it is used."""
    b = _base(con)
    for name, (_, sql) in VIEWS.items():
        if names is not None and name not in names:
            continue
        sql = sql.format(b=b) if sql else runs_wide_sql(con)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")


def columns(con: duckdb.DuckDBPyConnection, view: str) -> list[tuple[str, str]]:
    """(name, type) of each column of an installed view."""
    return [(r[0], r[1]) for r in con.execute(f"DESCRIBE {view}").fetchall()]


__all__ = ["EXAMPLES", "VIEWS", "columns", "install", "runs_wide_sql"]
