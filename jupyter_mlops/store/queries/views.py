"""The documented read-only views ``mlops.sql`` and ``mlops.runs`` answer over, and the guard
that keeps a user's SQL a read.

The views are TEMP views made on each read connection, not a migration: ``runs_wide`` has a
column per param and metric key, which a stored view cannot follow as keys appear, and views
kept in code change with the package (a change is a CHANGELOG entry) without a schema version.
A user's SQL is checked with DuckDB's own parser (one SELECT, only these views and its own
CTEs, no table functions), then run with file access disabled on the connection, under the
store's shared lock, and interrupted when it outlives its timeout.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...exceptions import BadQuery
from .. import Store, recent
from ..db import scalar
from ..read import reading, utc

if TYPE_CHECKING:
    import duckdb

#: Seconds a query of ``mlops.sql`` may run before it is interrupted.
TIMEOUT = 30.0

#: Table functions a query may call: they compute rows, they read nothing.
TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})

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
               created FROM {b}model_versions"""),
    "alias_history": ("Every move of a model alias, in the order they happened.", """
        SELECT name, alias, version, previous, set_by, gate, created FROM {b}aliases"""),
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


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _base(con: duckdb.DuckDBPyConnection) -> str:
    """The prefix naming the store's own tables (``"db".main.``), past any TEMP view."""
    return f"{_quote(str(scalar(con, 'SELECT current_database()')))}.main."


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
                  aggregates: list[tuple[str, str]] | None = None,
                  only: set[str] | None = None, ids: list[str] | None = None) -> str:
    """The runs_wide query: runs joined to one pivot of their latest params (aliased
    ``params``) and one of their metrics (``metrics``), so that a ``where`` may say
    ``params.lr`` as well as ``"params.lr"``. ``aggregates`` adds ``metrics.KEY:min``/``max``
    columns (key, function); ``where`` is a checked predicate (see :func:`check_where`);
    ``only`` keeps just these ``params.KEY``/``metrics.KEY`` columns; ``ids`` pivots only
    these runs, with the keys they have (a page's columns, after a narrow query chose it).
    Looking the keys up reads every param: ``only`` and ``ids`` narrow that too."""
    b = _base(con)
    among = ("" if ids is None else
             f" WHERE run_id IN ({', '.join(map(_literal, ids)) or 'NULL'})")
    narrow = (among, among)
    if only is not None:
        only = only | {f"metrics.{k}" for k, _ in aggregates or []}
        narrow = (_named_keys(only, "params."), _named_keys(only, "metrics."))
    params, metrics = _keys(con, b, narrow)
    param_cols = [f"arg_max({value}, event_id) FILTER (WHERE key = {_literal(k)}) AS {_quote(k)}"
                  for k, value in params]
    metric_cols = [f"arg_max(value, event_id) FILTER (WHERE key = {_literal(k)}) AS {_quote(k)}"
                   for k in metrics]
    metric_cols += [f"{fn}(value) FILTER (WHERE key = {_literal(k)}) AS {_quote(f'{k}:{fn}')}"
                    for k, fn in aggregates or []]
    counted = only is None or "cells" in only
    select = [recent.RUN_COLUMNS, "coalesce(cc.cells, 0) AS cells" if counted else "0 AS cells"]
    select += [f"params.{_quote(k)} AS {_quote('params.' + k)}" for k, _ in params]
    select += [f"metrics.{_quote(k)} AS {_quote('metrics.' + k)}" for k in metrics]
    select += [f"metrics.{_quote(f'{k}:{fn}')} AS {_quote(f'metrics.{k}:{fn}')}"
               for k, fn in aggregates or []]
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


# --- the guard --------------------------------------------------------------------------


def _tree(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    """DuckDB's parse of ``sql`` (one SELECT), or BadQuery saying why not."""
    import duckdb

    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as e:
        raise BadQuery(f"cannot parse the SQL: {e}") from None
    if len(statements) != 1:
        raise BadQuery(f"give one SELECT statement, not {len(statements)} statements.")
    kind = statements[0].type.name
    if kind != "SELECT":
        raise BadQuery(f"only a SELECT (or WITH … SELECT) is allowed: this is {kind}. "
                       f"The store is read-only here.")
    found = json.loads(scalar(con, "SELECT json_serialize_sql(?)", [sql]))
    if found.get("error"):
        raise BadQuery(f"only a SELECT is allowed: {found.get('error_message')}")
    tree: dict[str, Any] = found["statements"][0]["node"]
    return tree


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _ctes(tree: dict[str, Any]) -> set[str]:
    return {entry["key"].lower() for node in _walk(tree)
            for entry in (node.get("cte_map") or {}).get("map", [])}


def _refuse_reads(tree: dict[str, Any], allowed: set[str]) -> None:
    """Refuse a table that is not one of ``allowed`` and any table function that reads."""
    for node in _walk(tree):
        if node.get("type") == "BASE_TABLE":
            name = node["table_name"]
            if node.get("catalog_name") or node.get("schema_name") or name.lower() not in allowed:
                shown = ".".join(p for p in (node.get("catalog_name"), node.get("schema_name"),
                                             name) if p)
                raise BadQuery(f"no view named {shown!r}. The views are: "
                               f"{', '.join(VIEWS)} (docs/sql.md lists their columns).")
        elif node.get("type") == "SHOW_REF" and node.get("table_name"):  # SHOW TABLES …
            raise BadQuery(f"SHOW lists the store's tables, which are not public: the views "
                           f"are {', '.join(VIEWS)}; `DESCRIBE view` lists a view's columns.")
        elif node.get("type") == "TABLE_FUNCTION":
            name = node["function"].get("function_name", "?")
            if name.lower() not in TABLE_FUNCTIONS:
                raise BadQuery(f"table function {name}() is not allowed: a query reads the "
                               f"views ({', '.join(VIEWS)}), not files or settings.")


def check(con: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    """``sql`` is one SELECT over the views (and its own CTEs), calling no file reader;
    returns the views it reads."""
    tree = _tree(con, sql)
    _refuse_reads(tree, set(VIEWS) | _ctes(tree))
    return {n["table_name"].lower() for n in _walk(tree) if n.get("type") == "BASE_TABLE"}


def _shape(con: duckdb.DuckDBPyConnection, sql: str, part: str) -> dict[str, Any]:
    tree = _tree(con, sql)
    if any(n.get("class") == "SUBQUERY" for n in _walk(tree)):
        raise BadQuery(f"{part} may not hold a subquery: it filters or sorts the runs "
                       f"view only.")
    _refuse_reads(tree, {"runs_wide"})
    return tree


def _named(tree: Any) -> set[str]:
    """The columns a parsed expression names, ``params.lr`` and ``"params.lr"`` alike."""
    return {".".join(n["column_names"][-2:]) for n in _walk(tree)
            if n.get("class") == "COLUMN_REF"}


def check_where(con: duckdb.DuckDBPyConnection, where: str) -> set[str]:
    """``where`` is one predicate over runs_wide: no statement, no subquery, no function
    that reads tables or files (compared against the parse of the bare query). Returns
    the columns it names."""
    tree = _shape(con, f"SELECT * FROM runs_wide WHERE (\n{where}\n)", "where")
    named = _named(tree["where_clause"])
    tree["where_clause"] = None
    if tree != _tree(con, "SELECT * FROM runs_wide"):
        raise BadQuery(f"where must be a predicate, e.g. \"metrics.auc > 0.8 AND "
                       f"status = 'finished'\", not {where!r}.")
    return named


def check_order(con: duckdb.DuckDBPyConnection, order_by: str) -> set[str]:
    """``order_by`` is an ORDER BY list over runs_wide, e.g. ``"metrics.auc DESC"``.
    Returns the columns it names."""
    tree = _shape(con, f"SELECT * FROM runs_wide ORDER BY\n{order_by}\n", "order_by")
    modifiers = tree["modifiers"]
    tree["modifiers"] = []
    if (len(modifiers) != 1 or modifiers[0]["type"] != "ORDER_MODIFIER"
            or tree != _tree(con, "SELECT * FROM runs_wide")):
        raise BadQuery(f"order_by must be columns with ASC/DESC, e.g. \"metrics.auc DESC\", "
                       f"not {order_by!r}.")
    return _named(modifiers)


# --- running a user's query -------------------------------------------------------------


def guarded(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None,
            timeout: float = TIMEOUT, views: list[str] | None = None) -> pd.DataFrame:
    """Run checked SQL with file access off, interrupted after ``timeout`` seconds; DuckDB's
    errors as BadQuery naming what exists (the columns of ``views``, by default of the
    views ``sql`` names)."""
    import duckdb

    # One-way, for the database the connection opened: the store's file, or the process's
    # empty in-memory store (only ever read), so nothing else loses file access.
    con.execute("SET enable_external_access = false")
    timer = threading.Timer(timeout, con.interrupt)
    timer.daemon = True
    timer.start()
    try:
        return utc(con.execute(sql, params or []).df())
    except duckdb.InterruptException:
        raise BadQuery(f"the query ran longer than {timeout:g} s and was stopped. Narrow it "
                       f"(a WHERE, a LIMIT) or pass a larger timeout.") from None
    except duckdb.BinderException as e:
        named = views or [v for v in VIEWS if v in sql.lower()] or list(VIEWS)
        raise BadQuery(f"{_first_line(e)}\n{_listing(con, named)}") from None
    except duckdb.Error as e:
        raise BadQuery(_first_line(e)) from None
    finally:
        timer.cancel()


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0]


def _listing(con: duckdb.DuckDBPyConnection, named: list[str]) -> str:
    """The columns of each of these views, one line each."""
    install(con, set(named))
    return "\n".join(f"{v}: {', '.join(n for n, _ in columns(con, v))}" for v in named)


def sql(store: Store, query: str, timeout: float = TIMEOUT) -> pd.DataFrame:
    """The result of one SELECT over the views, as a DataFrame (timestamps UTC)."""
    if not isinstance(query, str) or not query.strip():
        raise BadQuery("give the SQL as a non-empty string, e.g. "
                       "mlops.sql(\"SELECT run_id, status FROM runs_wide\").")
    # `reading`'s one thread, as every reader: DuckDB refuses a second connection to a file
    # with another configuration while one is open in the process (the server's threads)
    with reading(store) as con:
        install(con, check(con, query))
        return guarded(con, query, timeout=timeout)


__all__ = ["EXAMPLES", "TIMEOUT", "VIEWS", "check", "check_order", "check_where", "columns",
           "guarded", "install", "runs_wide_sql", "sql"]
