"""Data contracts: the rules a batch must keep (derived from a training profile, edited by
hand), each check of a batch against them with its violations, and a ``contract_violated``
alert source for every failed check."""

from __future__ import annotations

from ... import events as ev
from .base import Domain, events_table

_CONTRACT, _CHECK = events_table(ev.CONTRACT), events_table(ev.CONTRACT_CHECK)
_VIOLATION = {"column": "VARCHAR", "rule": "VARCHAR", "observed": "VARCHAR",
              "expected": "VARCHAR"}

DOMAIN = Domain(
    name="contracts",
    payloads={
        ev.CONTRACT: {"name": "VARCHAR", "model": "VARCHAR", "fingerprint": "VARCHAR",
                      "contract": "JSON"},
        ev.CONTRACT_CHECK: {"contract": "VARCHAR", "model": "VARCHAR", "ok": "BOOLEAN",
                            "rows": "BIGINT", "violations": [_VIOLATION]},
    },
    migrations={
        12: """
        CREATE TABLE contracts (
            event_id VARCHAR, name VARCHAR, model VARCHAR, fingerprint VARCHAR,
            body VARCHAR, run_id VARCHAR, created TIMESTAMP);
        CREATE TABLE contract_checks (
            id VARCHAR, run_id VARCHAR, contract VARCHAR, model VARCHAR, ok BOOLEAN,
            rows BIGINT, violations INTEGER, created TIMESTAMP);
        CREATE TABLE contract_violations (
            check_id VARCHAR, column_name VARCHAR, rule VARCHAR, observed VARCHAR,
            expected VARCHAR);
        """,
    },
    inserts=[
        f"""INSERT INTO contracts
        SELECT id, name, model, fingerprint, contract, run_id, ts FROM {_CONTRACT}""",
        f"""INSERT INTO contract_checks
        SELECT id, run_id, contract, model, ok, rows, len(violations), ts FROM {_CHECK}""",
        f"""INSERT INTO contract_violations
        SELECT id, v."column", v.rule, v.observed, v.expected
        FROM (SELECT id, unnest(violations) AS v FROM {_CHECK})""",
        f"""INSERT INTO alert_sources
        SELECT id, 'contract_violated', ts, run_id, NULL, model, NULL, NULL, NULL,
               json_object('contract', contract, 'rows', rows, 'violations',
                           list_transform(violations, lambda v: v."column" || ': ' || v.rule))
        FROM {_CHECK} WHERE NOT ok""",
    ],
)
