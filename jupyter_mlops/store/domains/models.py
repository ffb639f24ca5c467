"""Models and the registry: versions, the history of every alias, autologged fits, and
their lineage (run -> version, data -> version, fit -> version, version -> alias)."""

from __future__ import annotations

from ... import events as ev
from .base import Domain, edges_from, events_table
from .cells import DATA, new_datasets

_VERSION, _ALIAS = events_table(ev.MODEL_VERSION), events_table(ev.ALIAS_SET)
_RETIRED = events_table(ev.MODEL_RETIRED)
_FIT = events_table(ev.FIT)
_REF = "concat(name, ':', version)"

DOMAIN = Domain(
    name="models",
    payloads={
        ev.MODEL_VERSION: {"name": "VARCHAR", "version": "INTEGER", "artifact": "VARCHAR",
                           "format": "VARCHAR", "flavor": "VARCHAR", "metrics": "JSON",
                           "params": "JSON", "data": "VARCHAR[]", "size": "BIGINT",
                           "fit": "VARCHAR", "signature": "JSON"},
        ev.MODEL_RETIRED: {"name": "VARCHAR", "version": "INTEGER", "set_by": "VARCHAR",
                           "reason": "VARCHAR"},
        ev.ALIAS_SET: {"name": "VARCHAR", "alias": "VARCHAR", "version": "INTEGER",
                       "previous": "INTEGER", "set_by": "VARCHAR", "gate": "JSON"},
        # ``cell_seq``: the name writers used before ``seq`` (schema 10)
        ev.FIT: {"seq": "INTEGER", "cell_seq": "INTEGER", "method": "VARCHAR",
                 "estimator": "VARCHAR", "params": "JSON", "inputs": [DATA],
                 "duration_ms": "DOUBLE", "artifact": "VARCHAR", "format": "VARCHAR",
                 "search": "JSON"},
    },
    migrations={
        3: """
        CREATE TABLE model_versions (
            event_id VARCHAR, name VARCHAR, version INTEGER, run_id VARCHAR,
            artifact VARCHAR, format VARCHAR, flavor VARCHAR, metrics VARCHAR,
            params VARCHAR, data VARCHAR[], size BIGINT, created TIMESTAMP);
        CREATE TABLE aliases (
            event_id VARCHAR, name VARCHAR, alias VARCHAR, version INTEGER, previous INTEGER,
            set_by VARCHAR, gate VARCHAR, created TIMESTAMP);
        CREATE TABLE fits (
            id VARCHAR, run_id VARCHAR, cell_seq INTEGER, method VARCHAR, estimator VARCHAR,
            params VARCHAR, inputs VARCHAR[], duration_ms DOUBLE, artifact VARCHAR,
            format VARCHAR, search VARCHAR, created TIMESTAMP);
        """,
        # 7: where each alias points now (the latest move wins), defined once for every reader
        7: """
        CREATE VIEW current_aliases AS
        SELECT name, alias, arg_max(version, event_id) AS version FROM aliases
        GROUP BY name, alias;
        """,
        10: "ALTER TABLE fits RENAME COLUMN cell_seq TO seq;",
        # 12: who registered each version and moved each alias, from where; each version's
        # input signature (JSON), and retired (archived) versions
        12: """
        ALTER TABLE model_versions ADD COLUMN "user" VARCHAR;
        ALTER TABLE model_versions ADD COLUMN host VARCHAR;
        ALTER TABLE aliases ADD COLUMN "user" VARCHAR;
        ALTER TABLE aliases ADD COLUMN host VARCHAR;
        ALTER TABLE model_versions ADD COLUMN signature VARCHAR;
        CREATE TABLE retired_versions (
            event_id VARCHAR, name VARCHAR, version INTEGER, set_by VARCHAR, reason VARCHAR,
            created TIMESTAMP);
        """,
    },
    inserts=[
        f"""INSERT INTO model_versions
        SELECT id, name, version, run_id, artifact, format, flavor, metrics, params,
               coalesce(data, []), size, ts, by_user, by_host, signature
        FROM {_VERSION}""",
        f"""INSERT INTO retired_versions
        SELECT id, name, version, set_by, reason, ts FROM {_RETIRED}""",
        f"""INSERT INTO aliases
        SELECT id, name, alias, version, previous, set_by, gate, ts, by_user, by_host
        FROM {_ALIAS}""",
        edges_from(_VERSION, "model_version", _REF, [
            ("run", "run_id", "produced", "NULL"),
            ("dataset", "unnest(data)", "trained_on", "NULL"),
            ("fit", "fit", "produced", "NULL")]),
        f"""INSERT INTO lineage_edges
        SELECT 'model_version', {_REF}, 'alias', concat(name, '@', alias), 'aliased_as',
               NULL, run_id, ts, id
        FROM {_ALIAS}""",
        # autologged fits, the data they were fitted on, and its edges
        f"""CREATE OR REPLACE TEMP TABLE _fit_inputs AS
        SELECT id, ts, run_id, d.* FROM (SELECT id, ts, run_id, unnest(inputs) AS d FROM {_FIT})
        WHERE d.fingerprint IS NOT NULL""",
        f"""INSERT INTO fits BY NAME
        SELECT id, run_id, coalesce(seq, cell_seq) AS seq, method, estimator, params,
               coalesce((SELECT list(i.fingerprint) FROM _fit_inputs i WHERE i.id = n.id), [])
                   AS inputs,
               duration_ms, artifact, format, search, ts AS created
        FROM {_FIT} n""",
        new_datasets("_fit_inputs", _FIT),
        f"""-- from {_FIT}
        INSERT INTO lineage_edges
        SELECT 'dataset', fingerprint, 'fit', id, 'fitted_on', role, run_id, ts, id
        FROM _fit_inputs""",
    ],
)
