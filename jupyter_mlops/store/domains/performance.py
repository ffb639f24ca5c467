"""Performance monitoring (``mlops.performance``): each model's reference calibration, and per
batch the estimated metrics with their intervals and, once labels arrived, the realized ones."""

from __future__ import annotations

from ... import events as ev
from .base import Domain, events_table

_REFERENCE, _BATCH = events_table(ev.PERFORMANCE_REFERENCE), events_table(ev.PERFORMANCE)

DOMAIN = Domain(
    name="performance",
    payloads={
        ev.PERFORMANCE_REFERENCE: {"model": "VARCHAR", "n_reference": "BIGINT",
                                   "threshold": "DOUBLE", "verdict": "VARCHAR",
                                   "ece": "DOUBLE", "ece_corrected": "DOUBLE", "body": "JSON"},
        ev.PERFORMANCE: {"model": "VARCHAR", "reference": "VARCHAR", "batch": "VARCHAR",
                         "n": "BIGINT", "confidence": "DOUBLE",
                         "metrics": [{"metric": "VARCHAR", "estimated": "DOUBLE",
                                      "ci_low": "DOUBLE", "ci_high": "DOUBLE",
                                      "realized": "DOUBLE"}]},
    },
    migrations={
        12: """
        CREATE TABLE performance_references (
            id VARCHAR, run_id VARCHAR, model VARCHAR, n_reference BIGINT, threshold DOUBLE,
            verdict VARCHAR, ece DOUBLE, ece_corrected DOUBLE, body VARCHAR,
            created TIMESTAMP);
        CREATE TABLE performance (
            event_id VARCHAR, run_id VARCHAR, model VARCHAR, reference VARCHAR, batch VARCHAR,
            n BIGINT, confidence DOUBLE, metric VARCHAR, estimated DOUBLE, ci_low DOUBLE,
            ci_high DOUBLE, realized DOUBLE, created TIMESTAMP);
        """,
    },
    inserts=[
        f"""INSERT INTO performance_references
        SELECT id, run_id, model, n_reference, threshold, verdict, ece, ece_corrected, body, ts
        FROM {_REFERENCE}""",
        f"""INSERT INTO performance
        SELECT id, run_id, model, reference, batch, n, confidence, m.metric, m.estimated,
               m.ci_low, m.ci_high, m.realized, ts
        FROM (SELECT *, unnest(metrics) AS m FROM {_BATCH})""",
    ],
)
