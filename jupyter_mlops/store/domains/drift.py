"""Drift monitoring: reference profiles, drift reports with their per-column rows, and the
lineage from the compared data and model to each report."""

from __future__ import annotations

from ... import events as ev
from .base import Domain, edges_from, events_table

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
