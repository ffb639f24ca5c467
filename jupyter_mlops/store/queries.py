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
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import Store, StoreError, db, recent
from .ingest import ingest_if_pending

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger("jupyter_mlops")

#: The shortest run id prefix accepted where a run id is expected.
MIN_PREFIX = 6


def refresh(store: Store) -> None:
    """Ingest pending events first, so a reader sees its own kernel's cells."""
    if not store.root.exists():
        raise StoreError(
            f"no store at {store.root}. Record a run with `%load_ext jupyter_mlops` in a "
            f"notebook, or set JUPYTER_MLOPS_HOME to an existing store."
        )
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
        raise StoreError(f"run id {run_id!r} is too short: give at least {MIN_PREFIX} characters.")
    found = [r[0] for r in db.run(
        con, "SELECT id FROM runs WHERE starts_with(id, ?) LIMIT 2", [run_id])]
    if not found:
        raise StoreError(f"unknown run id {run_id!r}. `jupyter mlops runs` lists the runs.")
    if len(found) > 1:
        raise StoreError(f"run id prefix {run_id!r} is ambiguous: give more characters.")
    return found[0]


def _decode(value: str | None) -> Any:
    try:
        return json.loads(value) if value is not None else None
    except ValueError:
        return value


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
            JOIN datasets d ON d.fingerprint = CASE e.relation WHEN 'read' THEN e.src_id
                                                             ELSE e.dst_id END
            WHERE e.run_id = ? ORDER BY c.seq, e.relation, e.name""", [run_id])


def metric_history(store: Store, run_id: str, key: str) -> pd.DataFrame:
    """Every logged value of one metric of a run, in logging order."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        return _frame(con, """
            SELECT step, value, ts, cell_seq FROM metrics
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
            raise StoreError("no drift report saved yet: run mlops.drift(reference, current).")
        return found[0][0]
    found = db.run(con, "SELECT id FROM drift_reports WHERE starts_with(id, ?) LIMIT 2",
                   [report_id])
    if len(found) != 1:
        raise StoreError(f"{'unknown' if not found else 'ambiguous'} drift report id "
                         f"{report_id!r}. `jupyter mlops drift-reports` lists them.")
    return found[0][0]


def drift_report(store: Store, report_id: str | None = None) -> dict[str, Any]:
    """One drift report's row (the latest when no id is given), options decoded."""
    with reading(store) as con:
        row = _frame(con, "SELECT * FROM drift_reports WHERE id = ?",
                     [_resolve_report(con, report_id)]).iloc[0].to_dict()
    row["options"] = _decode(row["options"]) or {}
    return row


def drift_columns(store: Store, report_id: str) -> pd.DataFrame:
    """The per-column rows of one drift report."""
    with reading(store) as con:
        return _frame(con, "SELECT * EXCLUDE (report_id) FROM drift_columns "
                           "WHERE report_id = ?", [_resolve_report(con, report_id)])


def models(store: Store) -> pd.DataFrame:
    """Every model version, newest first, with its metrics and current aliases."""
    with reading(store) as con:
        return _frame(con, """
            WITH current AS (
                SELECT name, alias, arg_max(version, event_id) AS version FROM aliases
                GROUP BY name, alias)
            SELECT v.name, v.version, list(c.alias ORDER BY c.alias)
                       FILTER (WHERE c.alias IS NOT NULL) AS aliases,
                   v.flavor, v.format, v.metrics, v.run_id, v.created
            FROM model_versions v
            LEFT JOIN current c ON c.name = v.name AND c.version = v.version
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
    j.timeout_s, j.host, j.pid"""


def jobs(store: Store, *, status: str | None = None, schedule: str | None = None,
         limit: int = 50) -> pd.DataFrame:
    """Recent job executions, newest first (``params`` decoded)."""
    with reading(store) as con:
        frame = _frame(con, f"""
            SELECT {_JOB_COLUMNS} FROM jobs j LEFT JOIN runs r ON r.id = j.run_id
            WHERE (? IS NULL OR j.status = ?) AND (? IS NULL OR j.schedule = ?)
            ORDER BY j.started DESC, j.run_id DESC LIMIT ?""",
            [status, status, schedule, schedule, int(limit)])
    frame["params"] = frame["params"].map(_decode)
    return frame


def job(store: Store, run_id: str) -> dict[str, Any]:
    """One job execution by run id (or unique prefix), ``params`` decoded."""
    with reading(store) as con:
        run_id = resolve_run(con, run_id)
        frame = _frame(con, f"SELECT {_JOB_COLUMNS} FROM jobs j LEFT JOIN runs r "
                            f"ON r.id = j.run_id WHERE j.run_id = ?", [run_id])
    if frame.empty:
        raise StoreError(f"run {run_id[:12]} is not a job: it was not started by "
                         f"`jupyter mlops run`. `jupyter mlops jobs` lists the jobs.")
    row = frame.iloc[0].to_dict()
    row["params"] = _decode(row["params"])
    return row


def schedules(store: Store) -> pd.DataFrame:
    """Every schedule with its settings, its last fire time and its last job."""
    with reading(store) as con:
        frame = _frame(con, """
            SELECT s.name, s.state, s.created, s.updated,
                   (SELECT max(scheduled_for) FROM jobs j WHERE j.schedule = s.name)
                       AS last_fired,
                   (SELECT arg_max(status, started) FROM jobs j WHERE j.schedule = s.name)
                       AS last_status,
                   (SELECT max(started) FROM jobs j WHERE j.schedule = s.name) AS last_started
            FROM schedules s ORDER BY s.name""")
    frame["state"] = frame["state"].map(_decode)
    return frame


def pending_requests(store: Store) -> pd.DataFrame:
    """Requests for the scheduler daemon that no job has answered yet, oldest first."""
    with reading(store) as con:
        frame = _frame(con, """
            SELECT q.id, q.schedule, q.params, q.parent_run, q.ts FROM job_requests q
            WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.request = q.id) ORDER BY q.id""")
    frame["params"] = frame["params"].map(_decode)
    return frame
