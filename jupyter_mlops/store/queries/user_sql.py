"""A user's SQL over the views (``mlops.sql``, ``mlops.runs(where=, order_by=)``): checked
with DuckDB's own parser (one SELECT, only the views and its own CTEs, no table function that
reads), then run with file access disabled on the connection, under the store's shared lock,
and interrupted when it outlives its timeout."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...exceptions import BadQuery
from .. import Store
from ..db import scalar
from ..read import reading, utc
from .views import VIEWS, columns, install

if TYPE_CHECKING:
    import duckdb

#: Seconds a query of ``mlops.sql`` may run before it is interrupted.
TIMEOUT = 30.0

#: Table functions a query may call: they compute rows, they read nothing.
TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})


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


__all__ = ["TABLE_FUNCTIONS", "TIMEOUT", "check", "check_order", "check_where", "guarded",
           "sql"]
