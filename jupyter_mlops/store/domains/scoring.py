"""Batch scoring: each scored batch (input file, the versions that scored it, the output),
the realized metrics of each version once the batch's labels arrived, and the lineage
input dataset -> score batch -> output dataset, with every scoring version linked to it."""

from __future__ import annotations

from ... import events as ev
from .base import Domain, edges_from, events_table
from .cells import DATA, new_datasets

_SCORE, _METRICS = events_table(ev.SCORE), events_table(ev.BATCH_METRICS)

#: A version that took part in a batch: the champion, a shadow, or a canary.
_TOOK_PART = {"name": "VARCHAR", "version": "INTEGER", "role": "VARCHAR", "rows": "BIGINT",
              "predictions": "VARCHAR"}

DOMAIN = Domain(
    name="scoring",
    payloads={
        ev.SCORE: {"batch_id": "VARCHAR", "name": "VARCHAR", "version": "INTEGER",
                   "input": "VARCHAR", "output": "VARCHAR", "data": [DATA],
                   "versions": [_TOOK_PART], "rows": "BIGINT", "chunks": "INTEGER",
                   "duration_s": "DOUBLE", "warnings": "VARCHAR[]"},
        ev.BATCH_METRICS: {"batch_id": "VARCHAR", "name": "VARCHAR", "version": "INTEGER",
                           "role": "VARCHAR", "metrics": "JSON", "rows": "BIGINT"},
    },
    migrations={
        12: """
        CREATE TABLE score_batches (
            batch_id VARCHAR, run_id VARCHAR, name VARCHAR, version INTEGER, input VARCHAR,
            input_fingerprint VARCHAR, output VARCHAR, output_fingerprint VARCHAR,
            rows BIGINT, chunks INTEGER, versions VARCHAR, duration_s DOUBLE,
            warnings VARCHAR[], event_id VARCHAR, created TIMESTAMP);
        CREATE TABLE batch_metrics (
            batch_id VARCHAR, name VARCHAR, version INTEGER, role VARCHAR, metrics VARCHAR,
            rows BIGINT, run_id VARCHAR, event_id VARCHAR, created TIMESTAMP);
        """,
    },
    inserts=[
        f"""CREATE OR REPLACE TEMP TABLE _score_data AS
        SELECT id, ts, run_id, d.* FROM (SELECT id, ts, run_id, unnest(data) AS d FROM {_SCORE})
        WHERE d.fingerprint IS NOT NULL""",
        new_datasets("_score_data", _SCORE),
        f"""INSERT INTO score_batches
        SELECT batch_id, run_id, name, version, input,
               (SELECT any_value(fingerprint) FROM _score_data d
                WHERE d.id = s.id AND d.role = 'input'),
               output,
               (SELECT any_value(fingerprint) FROM _score_data d
                WHERE d.id = s.id AND d.role = 'output'),
               rows, chunks, to_json(versions), duration_s, coalesce(warnings, []), id, ts
        FROM {_SCORE} s""",
        f"""-- from {_SCORE}
        INSERT INTO lineage_edges
        SELECT CASE role WHEN 'input' THEN 'dataset' ELSE 'score_batch' END,
               CASE role WHEN 'input' THEN fingerprint ELSE s.batch_id END,
               CASE role WHEN 'input' THEN 'score_batch' ELSE 'dataset' END,
               CASE role WHEN 'input' THEN s.batch_id ELSE fingerprint END,
               CASE role WHEN 'input' THEN 'reads' ELSE 'writes' END, role, d.run_id, d.ts, d.id
        FROM _score_data d JOIN {_SCORE} s ON s.id = d.id""",
        f"""CREATE OR REPLACE TEMP TABLE _score_versions AS
        SELECT id, ts, run_id, batch_id, v.* FROM (
            SELECT id, ts, run_id, batch_id, unnest(versions) AS v FROM {_SCORE})""",
        f"-- from {_SCORE}\n" + edges_from("_score_versions", "score_batch", "batch_id", [
            ("model_version", "concat(name, ':', version)", "scored", "role")]),
        f"""INSERT INTO batch_metrics
        SELECT batch_id, name, version, role, metrics, rows, run_id, id, ts FROM {_METRICS}""",
    ],
)
