"""Drift monitoring: reference profiles, drift reports with their per-column rows, and the
lineage from the compared data and model to each report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ... import events as ev
from ...exceptions import BadReference, NotFound
from .. import Store, db
from ..read import decode, frame, reading
from . import Domain, edges_from, events_table

if TYPE_CHECKING:
    import duckdb

_PROFILE, _REPORT = events_table(ev.PROFILE), events_table(ev.DRIFT_REPORT)

_COLUMN = {"column": "VARCHAR", "kind": "VARCHAR", "method": "VARCHAR",
           "statistic": "DOUBLE", "p_value": "DOUBLE", "p_adjusted": "DOUBLE",
           "effect": "DOUBLE", "effect_name": "VARCHAR", "threshold": "DOUBLE",
           "drifted": "BOOLEAN", "psi": "DOUBLE", "js": "DOUBLE", "tvd": "DOUBLE",
           "missing_reference": "DOUBLE", "missing_current": "DOUBLE",
           "missing_drifted": "BOOLEAN", "new_categories": "VARCHAR[]",
           "vanished_categories": "VARCHAR[]", "skipped": "VARCHAR", "detail": "JSON"}

DOMAIN = Domain(
    name="drift",
    payloads={
        ev.PROFILE: {"fingerprint": "VARCHAR", "name": "VARCHAR", "rows": "BIGINT",
                     "profile": "JSON", "shape": "BIGINT[]", "schema": "JSON"},
        ev.DRIFT_REPORT: {"reference": "VARCHAR", "reference_name": "VARCHAR",
                          "current": "VARCHAR", "model": "VARCHAR", "method": "VARCHAR",
                          "n_reference": "BIGINT", "n_current": "BIGINT",
                          "columns_compared": "INTEGER", "columns_drifted": "INTEGER",
                          "share_drifted": "DOUBLE", "dataset_drift": "BOOLEAN",
                          "options": "JSON", "columns": [_COLUMN]},
    },
    migrations={
        2: """
        CREATE TABLE profiles (
            event_id VARCHAR, fingerprint VARCHAR, name VARCHAR, rows BIGINT, body VARCHAR,
            run_id VARCHAR, created TIMESTAMP);
        CREATE TABLE drift_reports (
            id VARCHAR, run_id VARCHAR, reference VARCHAR, reference_name VARCHAR,
            current VARCHAR, model VARCHAR, method VARCHAR, n_reference BIGINT,
            n_current BIGINT, columns_compared INTEGER, columns_drifted INTEGER,
            share_drifted DOUBLE, dataset_drift BOOLEAN, options VARCHAR, created TIMESTAMP);
        CREATE TABLE drift_columns (
            report_id VARCHAR, column_name VARCHAR, kind VARCHAR, method VARCHAR,
            statistic DOUBLE, p_value DOUBLE, p_adjusted DOUBLE, effect DOUBLE,
            effect_name VARCHAR, threshold DOUBLE, drifted BOOLEAN, psi DOUBLE, js DOUBLE,
            tvd DOUBLE, missing_reference DOUBLE, missing_current DOUBLE,
            missing_drifted BOOLEAN, new_categories VARCHAR[], vanished_categories VARCHAR[],
            skipped VARCHAR, detail VARCHAR);
        """,
    },
    inserts=[
        f"""INSERT INTO profiles
        SELECT id, fingerprint, name, rows, profile, run_id, ts FROM {_PROFILE}""",
        f"""INSERT INTO datasets
        SELECT fingerprint, 'DataFrame', arg_min(shape, ts), arg_min(schema, ts), NULL,
               min(ts)
        FROM {_PROFILE} n WHERE fingerprint IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM datasets d WHERE d.fingerprint = n.fingerprint)
        GROUP BY fingerprint""",
        f"""INSERT INTO drift_reports
        SELECT id, run_id, reference, reference_name, current, model, method, n_reference,
               n_current, columns_compared, columns_drifted, share_drifted, dataset_drift,
               options, ts
        FROM {_REPORT}""",
        f"""INSERT INTO drift_columns
        SELECT id, c.* FROM (SELECT id, unnest(columns) AS c FROM {_REPORT})""",
        edges_from(_REPORT, "drift_report", "id", [
            ("dataset", "reference", "monitored_by", "'reference'"),
            ("dataset", "current", "monitored_by", "'current'"),
            ("model_version", "model", "monitored_by", "'model'")]),
    ],
)


# Reads

def profile_body(store: Store, key: str) -> str | None:
    """The JSON of the latest profile stored under this name or fingerprint."""
    with reading(store) as con:
        body = db.scalar(con, """
            SELECT body FROM profiles WHERE name = ? OR fingerprint = ?
            ORDER BY created DESC, event_id DESC LIMIT 1""", [key, key])
    return None if body is None else str(body)


def drift_reports(store: Store, limit: int = 50) -> pd.DataFrame:
    """Recent drift reports, newest first."""
    with reading(store) as con:
        return frame(con, """
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
        return str(found[0][0])
    found = db.run(con, "SELECT id FROM drift_reports WHERE starts_with(id, ?) LIMIT 2",
                   [report_id])
    if len(found) != 1:
        raise (BadReference if found else NotFound)(
            f"{'unknown' if not found else 'ambiguous'} drift report id {report_id!r}. "
            f"`jupyter mlops drift-reports` lists them.")
    return str(found[0][0])


def drift_columns(store: Store, report_id: str) -> pd.DataFrame:
    """The per-column rows of one drift report."""
    return drift_report(store, report_id)[1]


def drift_report(store: Store, report_id: str | None = None
                 ) -> tuple[dict[str, Any], pd.DataFrame]:
    """One drift report (id, unique prefix, or None for the latest): its header row, options
    decoded, and its per-column rows."""
    with reading(store) as con:
        full = _resolve_report(con, report_id)
        header = frame(con, "SELECT * FROM drift_reports WHERE id = ?", [full])
        columns = frame(con, "SELECT * EXCLUDE (report_id) FROM drift_columns "
                              "WHERE report_id = ?", [full])
    row = header.iloc[0].to_dict()
    row["options"] = decode(row["options"]) or {}
    return row, columns
