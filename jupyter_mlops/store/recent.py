"""The recent-runs projection: the latest runs as the list query returns them, with the store
generation they reflect, written by ingest next to the database.

Listing runs is what the sidebar polls and ``%mlops runs`` shows; answering it from this
small file costs a few milliseconds, where opening DuckDB alone costs 15-30 ms here. A
reader uses it only when its generation is the store's current one and it can answer the
question exactly; otherwise it queries DuckDB.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from . import Store, db, replace_file
from .db import run
from .read import decode, latest, reading, refresh, resolve_run
from .state import read_state

if TYPE_CHECKING:
    import duckdb

#: How many of the latest runs the projection holds.
SIZE = 250

RUN_COLUMNS = """
    r.id AS run_id, r.experiment, r.kind, r.status, r.started, r.ended,
    date_diff('millisecond', r.started, coalesce(r.ended, r.last_event)) / 1000.0 AS duration_s,
    r.notebook, r.git_commit, r.git_dirty, r.env_id, r.parent_run
"""

#: The filters every runs listing takes: experiment, status, kind (each bound twice; NULL: any).
FILTERS = """(CAST(? AS VARCHAR) IS NULL OR r.experiment = ?)
      AND (CAST(? AS VARCHAR) IS NULL OR r.status = ?)
      AND (CAST(? AS VARCHAR) IS NULL OR r.kind = ?)"""


_PAGE = "run_id IN (SELECT run_id FROM page)"


def runs_sql(where: str = FILTERS, direction: str = "DESC") -> str:
    """One round trip: the page of runs (``where``, newest or oldest first, ``LIMIT ?``), then
    only their cells, params and metrics (latest value per key), folded into key/value lists
    that Python spreads into columns. ``where`` and ``direction`` are code, never user text."""
    if direction not in ("ASC", "DESC"):
        raise ValueError(f"direction must be ASC or DESC, not {direction!r}")
    return f"""
WITH page AS (
    SELECT {RUN_COLUMNS} FROM runs r WHERE {where}
    ORDER BY r.started {direction}, r.id {direction} LIMIT ?),
cell_counts AS (
    SELECT run_id, count(*) AS cells FROM cells
    WHERE run_id IN (SELECT run_id FROM page) GROUP BY run_id),
latest_params AS (
    SELECT run_id, list(key ORDER BY key) AS keys, list(value ORDER BY key) AS vals FROM (
        {latest("params", _PAGE, by="run_id, ")})
    GROUP BY run_id),
latest_metrics AS (
    SELECT run_id, list(key ORDER BY key) AS keys, list(value ORDER BY key) AS vals FROM (
        {latest("metrics", _PAGE, by="run_id, ")})
    GROUP BY run_id)
SELECT page.*, coalesce(c.cells, 0) AS cells, p.keys AS param_keys, p.vals AS param_values,
       m.keys AS metric_keys, m.vals AS metric_values
FROM page
LEFT JOIN cell_counts c USING (run_id)
LEFT JOIN latest_params p USING (run_id)
LEFT JOIN latest_metrics m USING (run_id)
ORDER BY page.started {direction}, page.run_id {direction}
"""


RUNS = runs_sql()


Result = tuple[list[str], list[tuple[Any, ...]]]


def fetch(con: duckdb.DuckDBPyConnection, *, experiment: str | None, status: str | None,
          kind: str | None, limit: int) -> Result:
    """(column names, rows) of the latest matching runs, from the database."""
    cursor = con.execute(RUNS, [experiment, experiment, status, status, kind, kind, int(limit)])
    rows = cursor.fetchall()
    return [d[0] for d in cursor.description], rows


def write(store: Store, con: duckdb.DuckDBPyConnection, generation: int) -> None:
    """Rewrite the projection for ``generation`` (under the exclusive lock, after commit)."""
    columns, rows = fetch(con, experiment=None, status=None, kind=None, limit=SIZE)
    total = run(con, "SELECT count(*) FROM runs")[0][0]
    replace_file(store.recent_runs_path, json.dumps(
        {"generation": generation, "total": total, "columns": columns, "rows": rows},
        default=str))


def read(store: Store, *, experiment: str | None, status: str | None, kind: str | None,
         limit: int) -> Result | None:
    """The answer from the projection, or None when it is stale or cannot answer exactly."""
    try:
        cached = json.loads(store.recent_runs_path.read_text())
    except (OSError, ValueError):
        return None
    if cached.get("generation") != read_state(store).get("generation"):
        return None
    columns = cached["columns"]
    at = {name: i for i, name in enumerate(columns)}
    wanted = [(at[c], v) for c, v in (("experiment", experiment), ("status", status),
                                       ("kind", kind)) if v is not None]
    rows = [r for r in cached["rows"] if all(r[i] == v for i, v in wanted)][: int(limit)]
    # Exact when the page is full (nothing newer is missing), or the file holds every run.
    if len(rows) < limit and cached["total"] > len(cached["rows"]):
        return None
    return columns, rows


def _timestamp(value: Any) -> datetime | None:
    """A timestamp from DuckDB (datetime) or from the projection file (its text), UTC."""
    found = datetime.fromisoformat(value) if isinstance(value, str) else value
    return found.replace(tzinfo=timezone.utc) if found is not None else None


def _nest(columns: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    """One listed run as a record, its latest params and metrics as nested objects."""
    record = dict(zip(columns, row, strict=True))
    for name, convert in (("param", decode), ("metric", float)):
        keys, values = record.pop(f"{name}_keys") or [], record.pop(f"{name}_values") or []
        record[f"{name}s"] = {k: None if v is None else convert(v)
                              for k, v in zip(keys, values, strict=True)}
    record["started"], record["ended"] = map(_timestamp, (record["started"], record["ended"]))
    return record


def _listed(store: Store, where: str, params: list[Any], limit: int,
            direction: str = "DESC") -> list[dict[str, Any]]:
    with db.connect(store, write=False, threads=1) as con:
        cursor = con.execute(runs_sql(where, direction), [*params, int(limit)])
        rows = cursor.fetchall()
        return [_nest([d[0] for d in cursor.description], row) for row in rows]


def runs_page(
    store: Store,
    *,
    experiment: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    oldest_first: bool = False,
    limit: int = 50,
    after: tuple[datetime, str] | None = None,
) -> list[dict[str, Any]]:
    """A page of runs as records with params and metrics inline, for the REST API.

    Keyset pagination: ``after`` is the (started, run id) of the last run of the previous
    page, so a page costs the same however deep it is and never repeats or skips a run
    when new runs arrive. ``q`` matches a run id prefix, or part of the experiment or
    notebook name (case-insensitive). The newest page comes from the recent-runs projection.
    """
    refresh(store)
    if q is None and after is None and not oldest_first:
        found = read(store, experiment=experiment, status=status, kind=kind, limit=limit)
        if found is not None:
            return [_nest(found[0], row) for row in found[1]]
    params: list[Any]
    where, params = FILTERS, [experiment, experiment, status, status, kind, kind]
    if q is not None:
        where += """ AND (starts_with(r.id, ?) OR contains(lower(r.experiment), lower(?))
                          OR contains(lower(coalesce(r.notebook, '')), lower(?)))"""
        params += [q, q, q]
    if after is not None:
        op = ">" if oldest_first else "<"
        where += f" AND (r.started {op} ? OR (r.started = ? AND r.id {op} ?))"
        at = after[0]  # the store keeps naive UTC: an aware bound is compared as UTC
        at = at.astimezone(timezone.utc).replace(tzinfo=None) if at.tzinfo else at
        params += [at, at, after[1]]
    return _listed(store, where, params, limit, "ASC" if oldest_first else "DESC")


def runs_by_id(store: Store, run_ids: list[str]) -> list[dict[str, Any]]:
    """The listed records of these runs (ids or unique prefixes), in the order given."""
    with reading(store) as con:
        full = [resolve_run(con, r) for r in run_ids]
    found = {r["run_id"]: r for r in _listed(store, "list_contains(?, r.id)", [full], len(full))}
    return [found[r] for r in full]
