"""Read API: pandas DataFrames over the store.

Each call ingests pending spool first (so a kernel sees its own cells), then reads under
the shared store lock through a read-only connection that is closed before returning.
All user input reaches SQL as bound parameters.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..exceptions import BadReference, NotFound, StoreError
from . import Store, db, recent
from .ingest import ingest_if_pending

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger("jupyter_mlops")

#: The shortest run id prefix accepted where a run id is expected.
MIN_PREFIX = 6


def refresh(store: Store) -> None:
    """Ingest pending events first, so a reader sees its own kernel's cells.

    A store without a database is ingested even where reads do not ingest (the server):
    a kernel's first events are shown at once, not a missing database. A store folder that
    does not exist yet reads as empty (see :func:`.db.connect`).
    """
    if not store.ingest_on_read and store.db_path.exists():
        return
    try:
        ingest_if_pending(store)
    except StoreError as e:
        if not store.db_path.exists():
            raise
        log.warning("jupyter-mlops: showing the last ingested state: %s", e)


@contextlib.contextmanager
def reading(store: Store) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection on an up-to-date store."""
    refresh(store)
    with db.connect(store, write=False, threads=1) as con:
        yield con


def _frame(con: duckdb.DuckDBPyConnection, sql: str,
           params: list[Any] | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def resolve_run(con: duckdb.DuckDBPyConnection, run_id: str) -> str:
    """The full id of a run given its id or a unique prefix; a clear error otherwise."""
    if len(run_id) < MIN_PREFIX:
        raise BadReference(f"run id {run_id!r} is too short: give at least {MIN_PREFIX} "
                           f"characters.")
    found = [r[0] for r in db.run(
        con, "SELECT id FROM runs WHERE starts_with(id, ?) LIMIT 2", [run_id])]
    if not found:
        raise NotFound(f"unknown run id {run_id!r}. `jupyter mlops runs` lists the runs.")
    if len(found) > 1:
        raise BadReference(f"run id prefix {run_id!r} is ambiguous: give more characters.")
    return found[0]


def resolve_cell(con: duckdb.DuckDBPyConnection, ref: str) -> tuple[str, str, int]:
    """``RUN/SEQ`` (a run id or unique prefix, a slash, a cell's seq) -> (cell event id, full
    run id, seq); a clear error when it names no recorded cell."""
    run_part, _, seq_part = ref.rpartition("/")
    if not run_part or not seq_part.isdigit():
        raise BadReference(f"{ref!r} is not RUN/SEQ: write a run id (or its prefix), a slash "
                           f"and the cell's number, e.g. 01a2b3c4/7")
    run_id, seq = resolve_run(con, run_part), int(seq_part)
    found = db.run(con, "SELECT event_id FROM cells WHERE run_id = ? AND seq = ? "
                        "ORDER BY event_id LIMIT 1", [run_id, seq])
    if not found:
        raise NotFound(f"run {run_id[:12]} has no cell {seq}: `jupyter mlops cells "
                       f"{run_id[:12]}` lists its cells")
    return found[0][0], run_id, seq


def cell_position(con: duckdb.DuckDBPyConnection, event_id: str) -> tuple[str, int]:
    """(run id, seq) of a cell event."""
    found = db.run(con, "SELECT run_id, seq FROM cells WHERE event_id = ?", [event_id])
    if not found:
        raise NotFound(f"no recorded cell {event_id!r}")
    return found[0][0], found[0][1]


def fit_cell(con: duckdb.DuckDBPyConnection, kind: str, id_: str) -> tuple[str, int] | None:
    """(run id, seq) of the cell whose fit produced a model version, or of a run's last
    fit."""
    found = db.run(con, """
        SELECT f.run_id, f.seq FROM lineage l JOIN fits f ON f.id = l.src_id
        WHERE l.src_kind = 'fit' AND l.dst_kind = ? AND l.dst_id = ?
        ORDER BY f.id DESC LIMIT 1""", [kind, id_]) if kind != "run" else db.run(
        con, "SELECT run_id, seq FROM fits WHERE run_id = ? AND seq IS NOT NULL "
             "ORDER BY id DESC LIMIT 1", [id_])
    return (found[0][0], found[0][1]) if found else None


def dataflow_cells(con: duckdb.DuckDBPyConnection, run_id: str, upto: int) -> pd.DataFrame:
    """The successful cells of a run up to seq ``upto``, with their reads, writes and
    per-statement records (JSON text; NULL for cells recorded before statements were)."""
    return _frame(con, """
        SELECT seq, cell_id, execution_count, source, reads, writes, statements FROM cells
        WHERE run_id = ? AND seq <= ? AND status = 'ok' ORDER BY seq""", [run_id, upto])


def run_nodes(con: duckdb.DuckDBPyConnection, run_id: str | None = None
              ) -> dict[str, list[tuple[str, str]]]:
    """run id -> every graph node an edge recorded in that run touches (its cells, the data
    they read and wrote, its fits, the versions it produced); one run, or all."""
    found = db.run(con, """
        SELECT DISTINCT run_id, kind, id FROM (
            SELECT run_id, src_kind AS kind, src_id AS id FROM lineage_edges
            UNION ALL
            SELECT run_id, dst_kind, dst_id FROM lineage_edges)
        WHERE run_id IS NOT NULL AND coalesce(run_id = ?, true)
          AND NOT (kind = 'run' AND id = run_id)
        ORDER BY run_id, kind, id""", [run_id])
    out: dict[str, list[tuple[str, str]]] = {}
    for run, kind, id_ in found:
        out.setdefault(run, []).append((kind, id_))
    return out


def _decode(value: str | None) -> Any:
    """JSON text decoded; a missing value (None, or pandas' NaN for a SQL NULL) is None."""
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def _missing(value: Any) -> bool:
    """A NULL as pandas gives it back: None, NaN or NaT."""
    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


def _mapping(value: str | None) -> dict[str, Any] | None:
    """A JSON object as a dict; anything else a hostile or older record holds is None."""
    decoded = _decode(value)
    return decoded if isinstance(decoded, dict) else None


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
    found = recent.read(store, experiment=experiment, status=status, kind=kind, limit=limit)
    if found is None:
        with db.connect(store, write=False, threads=1) as con:
            found = recent.fetch(con, experiment=experiment, status=status, kind=kind,
                                 limit=limit)
    columns, records = found
    frame = pd.DataFrame(records, columns=columns)
    for name in ("started", "ended"):
        frame[name] = pd.to_datetime(frame[name])
    rows: list[dict[str, Any]] = [{} for _ in range(len(frame))]
    for prefix, keys, values, decode in (("params.", "param_keys", "param_values", _decode),
                                         ("metrics.", "metric_keys", "metric_values", float)):
        for row, ks, vs in zip(rows, frame.pop(keys), frame.pop(values), strict=True):
            if ks:  # None when the run has none
                row.update((prefix + k, None if v is None else decode(v))
                           for k, v in zip(ks, vs, strict=True))
    wide = pd.DataFrame(rows, index=frame.index, dtype=object)
    wide = wide[sorted(wide.columns, key=lambda c: (not c.startswith("params."), c))]
    for name in wide.columns:
        if name.startswith("metrics."):
            wide[name] = wide[name].astype(float)
    return pd.concat([frame, wide], axis=1)


def run(store: Store, run_id: str) -> dict[str, Any]:
    """One run: its row, params, latest metrics, and environment."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        row = _frame(con, f"""SELECT {recent.RUN_COLUMNS}, r.host, r.pid,
                                 (SELECT count(*) FROM cells c WHERE c.run_id = r.id) AS cells
                              FROM runs r WHERE r.id = ?""", [run_id]).iloc[0].to_dict()
        params = dict(db.run(
            con, "SELECT key, arg_max(value, event_id) FROM params WHERE run_id = ? "
            "GROUP BY key ORDER BY key", [run_id]))
        metrics = dict(db.run(
            con, "SELECT key, arg_max(value, event_id) FROM metrics WHERE run_id = ? "
            "GROUP BY key ORDER BY key", [run_id]))
        envs = db.run(
            con, "SELECT python, platform, hostname, kernel, packages FROM environments "
            "WHERE id = ?", [row["env_id"]])
        env = envs[0] if envs else None
    row["params"] = {k: _decode(v) for k, v in params.items()}
    row["metrics"] = metrics
    row["environment"] = None if env is None else {
        "python": env[0], "platform": env[1], "hostname": env[2], "kernel": env[3],
        "packages": json.loads(env[4] or "{}"),
    }
    return row


def cells(store: Store, run_id: str) -> pd.DataFrame:
    """The executed cells of a run in execution order."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        return _frame(con, """
            SELECT seq, execution_count, cell_id, status, duration_ms, reads, writes,
                   error_type, error_message, started, source, source_hash, event_id
            FROM cells WHERE run_id = ? ORDER BY seq, event_id""", [run_id])


def cell_data(store: Store, run_id: str) -> pd.DataFrame:
    """The data each cell of a run read or wrote, with fingerprints."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        return _frame(con, """
            SELECT c.seq, e.relation, e.name, d.fingerprint, d.kind, d.shape, d.nbytes
            FROM lineage_edges e
            JOIN cells c ON c.event_id = e.event_id
            JOIN datasets d ON d.fingerprint = CASE e.relation WHEN 'reads' THEN e.src_id
                                                             ELSE e.dst_id END
            WHERE e.run_id = ? ORDER BY c.seq, e.relation, e.name""", [run_id])


def fits(store: Store, run_id: str) -> pd.DataFrame:
    """The fits autolog recorded in a run, in the order they were made (cell seq, class,
    method): what a user made, to check against what they see in their notebook."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        return _frame(con, """SELECT seq, estimator, method FROM fits
                              WHERE run_id = ? ORDER BY id""", [run_id])


def metric_history(store: Store, run_id: str, key: str) -> pd.DataFrame:
    """Every logged value of one metric of a run, in logging order."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        return _frame(con, """
            SELECT step, value, ts, seq FROM metrics
            WHERE run_id = ? AND key = ? ORDER BY event_id""", [run_id, key])


def experiments(store: Store) -> pd.DataFrame:
    with reading(store) as con:
        return _frame(con, """
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


def profile_body(store: Store, key: str) -> str | None:
    """The JSON of the latest profile stored under this name or fingerprint."""
    with reading(store) as con:
        return db.scalar(con, """
            SELECT body FROM profiles WHERE name = ? OR fingerprint = ?
            ORDER BY created DESC, event_id DESC LIMIT 1""", [key, key])


def drift_reports(store: Store, limit: int = 50) -> pd.DataFrame:
    """Recent drift reports, newest first."""
    with reading(store) as con:
        return _frame(con, """
            SELECT id, created, reference_name, reference, current, model, method,
                   n_reference, n_current, columns_compared, columns_drifted, share_drifted,
                   dataset_drift, run_id
            FROM drift_reports ORDER BY created DESC, id DESC LIMIT ?""", [int(limit)])


def _resolve_report(con: duckdb.DuckDBPyConnection, report_id: str | None) -> str:
    """The full id of a drift report from an id or unique prefix (None: the latest)."""
    if report_id is None:
        found = db.run(con, "SELECT id FROM drift_reports ORDER BY created DESC, id DESC "
                            "LIMIT 1")
        if not found:
            raise NotFound("no drift report saved yet: run mlops.drift(reference, current).")
        return found[0][0]
    found = db.run(con, "SELECT id FROM drift_reports WHERE starts_with(id, ?) LIMIT 2",
                   [report_id])
    if len(found) != 1:
        raise (BadReference if found else NotFound)(
            f"{'unknown' if not found else 'ambiguous'} drift report id {report_id!r}. "
            f"`jupyter mlops drift-reports` lists them.")
    return found[0][0]


def drift_columns(store: Store, report_id: str) -> pd.DataFrame:
    """The per-column rows of one drift report."""
    return drift_report(store, report_id)[1]


def drift_report(store: Store, report_id: str | None = None
                 ) -> tuple[dict[str, Any], pd.DataFrame]:
    """One drift report (id, unique prefix, or None for the latest): its header row, options
    decoded, and its per-column rows."""
    with reading(store) as con:
        full = _resolve_report(con, report_id)
        header = _frame(con, "SELECT * FROM drift_reports WHERE id = ?", [full])
        columns = _frame(con, "SELECT * EXCLUDE (report_id) FROM drift_columns "
                              "WHERE report_id = ?", [full])
    row = header.iloc[0].to_dict()
    row["options"] = _decode(row["options"]) or {}
    return row, columns


def alias_targets(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every current alias as ``{"name@alias": "name:version"}``."""
    return {f"{name}@{alias}": f"{name}:{version}" for name, alias, version
            in db.run(con, "SELECT name, alias, version FROM current_aliases")}


def models(store: Store) -> pd.DataFrame:
    """Every model version, newest first, with its metrics and current aliases."""
    with reading(store) as con:
        return _frame(con, """
            SELECT v.name, v.version, list(c.alias ORDER BY c.alias)
                       FILTER (WHERE c.alias IS NOT NULL) AS aliases,
                   v.flavor, v.format, v.metrics, v.run_id, v.created
            FROM model_versions v
            LEFT JOIN current_aliases c ON c.name = v.name AND c.version = v.version
            GROUP BY ALL ORDER BY v.name, v.version DESC""")


def alias_history(store: Store, name: str) -> pd.DataFrame:
    """Who moved which alias of ``name`` when, from which version to which."""
    with reading(store) as con:
        return _frame(con, """
            SELECT alias, previous, version, set_by, gate, created FROM aliases
            WHERE name = ? ORDER BY event_id""", [name])


_JOB_COLUMNS = """j.run_id, r.experiment, j.notebook, j.status, j.reason, j.started, j.ended,
    date_diff('millisecond', j.started, j.ended) / 1000.0 AS duration_s, j.schedule,
    j.trigger, j.params, j.failed_cell, j.error_type, j.error_message, j.output, j.output_sha,
    j.notebook_sha, j.reproduces, j.parent_run, j.request, j.scheduled_for, j.executor,
    j.timeout_s, j.host, j.pid, j.pid_started"""


def jobs(store: Store, *, status: str | None = None, schedule: str | None = None,
         limit: int = 50) -> pd.DataFrame:
    """Recent job executions, newest first (``params`` decoded)."""
    with reading(store) as con:
        frame = _frame(con, f"""
            SELECT {_JOB_COLUMNS} FROM jobs j LEFT JOIN runs r ON r.id = j.run_id
            WHERE (? IS NULL OR j.status = ?) AND (? IS NULL OR j.schedule = ?)
            ORDER BY j.started DESC, j.run_id DESC LIMIT ?""",
            [status, status, schedule, schedule, int(limit)])
    frame["params"] = frame["params"].map(_mapping).astype(object)
    return frame


def job(store: Store, run_id: str) -> dict[str, Any]:
    """One job execution by run id (or unique prefix), ``params`` decoded."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        frame = _frame(con, f"SELECT {_JOB_COLUMNS} FROM jobs j LEFT JOIN runs r "
                            f"ON r.id = j.run_id WHERE j.run_id = ?", [run_id])
    if frame.empty:
        raise NotFound(f"run {run_id[:12]} is not a job: it was not started by "
                         f"`jupyter mlops run`. `jupyter mlops jobs` lists the jobs.")
    row = {k: None if _missing(v) else v for k, v in frame.iloc[0].to_dict().items()}
    row["params"] = _mapping(row["params"])
    return row


def schedules(store: Store) -> pd.DataFrame:
    """Every schedule with its settings, its last fire time and its last job."""
    with reading(store) as con:
        frame = _frame(con, """
            SELECT s.name, s.state, s.created, s.updated,
                   greatest((SELECT max(scheduled_for) FROM jobs j WHERE j.schedule = s.name),
                            (SELECT max(scheduled_for) FROM job_claims c
                             WHERE c.schedule = s.name)) AS last_fired,
                   (SELECT arg_max(status, started) FROM jobs j WHERE j.schedule = s.name)
                       AS last_status,
                   (SELECT max(started) FROM jobs j WHERE j.schedule = s.name) AS last_started
            FROM schedules s ORDER BY s.name""")
    frame["state"] = frame["state"].map(_mapping).astype(object)
    usable = frame["state"].map(lambda state: isinstance(state, dict) and all(
        isinstance(state.get(key), str) for key in ("notebook", "cron")))
    for name in frame.name[~usable]:
        log.warning("jupyter-mlops: schedule %r has no notebook or cron recorded; it is "
                    "skipped. Add it again: `jupyter mlops schedule add ... --replace`", name)
    return frame[usable].reset_index(drop=True)


def pending_requests(store: Store) -> pd.DataFrame:
    """Requests for the scheduler daemon that no job has answered yet, oldest first."""
    with reading(store) as con:
        frame = _frame(con, """
            SELECT q.id, q.schedule, q.params, q.parent_run, q.ts FROM job_requests q
            WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.request = q.id)
              AND NOT EXISTS (SELECT 1 FROM job_claims c WHERE c.request = q.id)
            ORDER BY q.id""")
    frame["params"] = frame["params"].map(_mapping).astype(object)
    return frame


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
        return _frame(con, """
            SELECT c.run_id, c.schedule, c.scheduled_for, c.request, c.pid, c.pid_started,
                   c.claimed, j.status
            FROM job_claims c LEFT JOIN jobs j ON j.run_id = c.run_id
            WHERE c.host = ? AND c.ended IS NULL AND coalesce(j.status, 'running') = 'running'
            ORDER BY c.claimed""", [host])


def _timestamp(value: Any) -> datetime | None:
    """A timestamp from DuckDB (datetime) or from the projection file (its text)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _nest(columns: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    """One listed run as a record, its latest params and metrics as nested objects."""
    record = dict(zip(columns, row, strict=True))
    for name, decode in (("param", _decode), ("metric", float)):
        keys, values = record.pop(f"{name}_keys") or [], record.pop(f"{name}_values") or []
        record[f"{name}s"] = {k: None if v is None else decode(v)
                              for k, v in zip(keys, values, strict=True)}
    record["started"], record["ended"] = map(_timestamp, (record["started"], record["ended"]))
    return record


def _listed(store: Store, where: str, params: list[Any], limit: int,
            direction: str = "DESC") -> list[dict[str, Any]]:
    with db.connect(store, write=False, threads=1) as con:
        cursor = con.execute(recent.runs_sql(where, direction), [*params, int(limit)])
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
        found = recent.read(store, experiment=experiment, status=status, kind=kind, limit=limit)
        if found is not None:
            return [_nest(found[0], row) for row in found[1]]
    where, params = recent.FILTERS, [experiment, experiment, status, status, kind, kind]
    if q is not None:
        where += """ AND (starts_with(r.id, ?) OR contains(lower(r.experiment), lower(?))
                          OR contains(lower(coalesce(r.notebook, '')), lower(?)))"""
        params += [q, q, q]
    if after is not None:
        op = ">" if oldest_first else "<"
        where += f" AND (r.started {op} ? OR (r.started = ? AND r.id {op} ?))"
        params += [after[0], after[0], after[1]]
    return _listed(store, where, params, limit, "ASC" if oldest_first else "DESC")


def runs_by_id(store: Store, run_ids: list[str]) -> list[dict[str, Any]]:
    """The listed records of these runs (ids or unique prefixes), in the order given."""
    with reading(store) as con:
        full = [resolve_run(con, r) for r in run_ids]
    found = {r["run_id"]: r for r in _listed(store, "list_contains(?, r.id)", [full], len(full))}
    return [found[r] for r in full]


def health(store: Store) -> dict[str, Any]:
    """Where the store is and how current: never ingests, opens DuckDB only for the schema."""
    from .schema import current_version
    from .state import pending_bytes, read_state

    state = read_state(store)
    version = None
    if store.db_path.exists():
        with db.connect(store, write=False, threads=1) as con:
            version = current_version(con)
    at = state.get("ingested_at")
    return {"store": str(store.root), "schema_version": version,
            "generation": state.get("generation", 0),
            "pending_bytes": pending_bytes(store) if store.root.exists() else 0,
            "last_ingest": None if at is None else datetime.fromtimestamp(at, timezone.utc)}
