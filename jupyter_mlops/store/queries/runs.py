"""Reads of the runs domain (gathered into :mod:`jupyter_mlops.store.queries`)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from ...exceptions import BadQuery
from .. import Store, db, recent
from ..read import decode, frame, reading, refresh, resolve_run
from ..sql import latest
from . import user_sql, views


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
        row: dict[str, Any] = frame(con, f"""SELECT {recent.RUN_COLUMNS}, r.pid,
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


def run_id_of(store: Store, run: str) -> str:
    """The full id of the run ``run`` names (its name, id, or a unique prefix of the id)."""
    with reading(store) as con:
        return resolve_run(con, run)


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
        cursor = con.execute(recent.runs_sql(where, direction), [*params, int(limit)])
        rows = cursor.fetchall()
        return [_nest([d[0] for d in cursor.description], row) for row in rows]


def listing_filter(experiment: str | None, status: str | None, kind: str | None,
              q: str | None) -> tuple[str, list[Any]]:
    """The WHERE (over ``runs r``) and its parameters of a listing's filters and text ``q``."""
    where, params = recent.FILTERS, [experiment, experiment, status, status, kind, kind]
    if q is not None:
        where += """ AND (starts_with(r.id, ?) OR contains(lower(r.experiment), lower(?))
                          OR contains(lower(coalesce(r.notebook, '')), lower(?))
                          OR contains(lower(coalesce(r.name, '')), lower(?)))"""
        params += [q, q, q, q]
    return where, params


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
    when new runs arrive. ``q`` matches a run id prefix, or part of the run's, the experiment's or
    the notebook's name (case-insensitive). The newest page comes from the recent-runs projection.
    """
    refresh(store)
    if q is None and after is None and not oldest_first:
        found = recent.read(store, experiment=experiment, status=status, kind=kind, limit=limit)
        if found is not None:
            return [_nest(found[0], row) for row in found[1]]
    where, params = listing_filter(experiment, status, kind, q)
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
    return in_order(store, full)


def in_order(store: Store, run_ids: list[str]) -> list[dict[str, Any]]:
    """The listed records of these full run ids, in the order given."""
    if not run_ids:
        return []
    found = {r["run_id"]: r for r in _listed(store, "list_contains(?, r.id)", [run_ids],
                                              len(run_ids))}
    return [found[r] for r in run_ids]


#: What ``metrics=[...]`` of :func:`runs_table` may ask of a metric besides its last value.
AGGREGATES = ("min", "max", "best")

#: A metric whose name has a word ending in one of these is better lower (its ``best`` is its
#: min: ``val_loss``, ``logloss``, ``rmse``, ``fit_time``); any other metric's best is its max.
LOWER_IS_BETTER = ("loss", "error", "err", "mse", "mae", "mape", "perplexity", "latency",
                   "time", "seconds", "duration", "cost")


def best_direction(key: str, best: dict[str, str] | None = None) -> str:
    """``min`` or ``max``: which of a metric's values is its best (``best`` overrides)."""
    if best and key in best:
        return best[key]
    words = re.split(r"[^a-z]+", key.lower())
    return "min" if any(w.endswith(LOWER_IS_BETTER) for w in words if w) else "max"


def _aggregates(asked: list[str] | None, named: set[str],
                best: dict[str, str] | None) -> list[tuple[str, str, str]]:
    """``["auc:max", "loss:best"]`` and the ``metrics.KEY:FN`` columns a where or order_by
    names, as (key, name, SQL aggregate) triples; a clear error otherwise."""
    for key, direction in (best or {}).items():
        if direction not in ("min", "max"):
            raise BadQuery(f"best={{{key!r}: {direction!r}}}: say \"min\" (lower is better) "
                           f"or \"max\".")
    found: dict[tuple[str, str], str] = {}
    wanted = [str(i) for i in asked or []]
    wanted += [n[len("metrics."):] for n in sorted(named) if n.startswith("metrics.")
               and n.rpartition(":")[2] in AGGREGATES]
    for item in wanted:
        key, _, fn = item.rpartition(":")
        if not key or fn not in AGGREGATES:
            raise BadQuery(f"metrics={item!r}: give KEY:min, KEY:max or KEY:best "
                           f"(e.g. \"auc:best\").")
        found[key, fn] = best_direction(key, best) if fn == "best" else fn
    return [(key, fn, sql) for (key, fn), sql in found.items()]


def runs_table(
    store: Store,
    *,
    experiment: str | None = None,
    status: str | None = None,
    where: str | None = None,
    order_by: str | None = None,
    limit: int | None = 100,
    metrics: list[str] | None = None,
    best: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Runs as one row each with ``params.*``/``metrics.*`` columns, filtered by a checked
    SQL predicate over runs_wide and sorted by a checked ORDER BY list; ``metrics`` and
    the ``metrics.KEY:FN`` columns these name add a metric's min, max or best.

    The default page (no ``where``, ``order_by`` or ``metrics``) is :func:`runs`, answered
    from the recent-runs projection; anything else pivots the runs in DuckDB.
    """
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise BadQuery(f"limit must be a whole number of at least 1 (or None: every run), "
                       f"not {limit!r}.")
    _aggregates(metrics, set(), best)  # a bad request fails before the store is read
    if where is None and order_by is None and not metrics:
        found = runs(store, experiment=experiment, status=status,
                     limit=limit if limit is not None else 2**62)
        for name in found.columns:
            if name.startswith("params."):
                found[name] = found[name].infer_objects()
        return found
    with reading(store) as con:
        condition, named = recent.FILTERS, set()
        if where is not None:
            named |= user_sql.check_where(con, where)
            condition += f" AND (\n{where}\n)"
        order = "started DESC, run_id DESC"
        if order_by is not None:
            named |= user_sql.check_order(con, order_by)
            order = f"\n{order_by}\n, {order}"
        params: list[Any] = [experiment, experiment, status, status, None, None]
        aggregates = _aggregates(metrics, named, best)
        if limit is None:  # every run: pivot every key once
            return user_sql.guarded(con, views.runs_wide_sql(
                con, where=condition, aggregates=aggregates) + f"\nORDER BY {order}", params,
                views=["runs_wide"])
        # choose the page pivoting only the keys asked about, then pivot all keys of its runs
        chosen = user_sql.guarded(con, views.runs_wide_sql(
            con, where=condition, aggregates=aggregates, only=named)
            + f"\nORDER BY {order}\nLIMIT ?", [*params, limit], views=["runs_wide"])
        ids = chosen["run_id"].tolist()
        found = user_sql.guarded(con, views.runs_wide_sql(con, aggregates=aggregates, ids=ids))
        return found.set_index("run_id").loc[ids].reset_index()


def metric_histories(store: Store, run_id: str, key: str | None = None) -> pd.DataFrame:
    """Every logged value of a run's metrics (or of one), by key then in logging order."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        return frame(con, """
            SELECT run_id, key, step, value, ts, seq FROM metrics
            WHERE run_id = ? AND (CAST(? AS VARCHAR) IS NULL OR key = ?)
            ORDER BY key, event_id""", [run_id, key, key])
