"""Alerts: the events rules can fire on (``alert_sources``, one row per alertable event, as
ingested), which of them the rules have seen, and the outbox: each message queued once (by
its dedup key) and every claim, retry, delivery or failure of it, so delivery survives
kill -9 and its history is visible (docs/alerts.md)."""

from __future__ import annotations

from ... import events as ev
from .base import TS, Domain, events_table

_ENDED, _DRIFT = events_table(ev.JOB_ENDED), events_table(ev.DRIFT_REPORT)
_ALIAS, _ALERT = events_table(ev.ALIAS_SET), events_table(ev.ALERT)
_MISSED, _GATE = events_table(ev.SCHEDULE_MISSED), events_table(ev.GATE_REFUSED)
_PERFORMANCE = events_table(ev.PERFORMANCE_DRIFT)
_QUEUED, _EVALUATED = events_table(ev.ALERT_QUEUED), events_table(ev.ALERT_EVALUATED)
_OUTCOMES = {ev.ALERT_CLAIMED: "claimed", ev.ALERT_DELIVERED: "delivered",
             ev.ALERT_RETRY: "retry", ev.ALERT_FAILED: "failed"}
_ATTEMPT = {"key": "VARCHAR", "attempt": "INTEGER", "until": "DOUBLE", "next_at": "DOUBLE",
            "error": "VARCHAR", "detail": "VARCHAR", "host": "VARCHAR", "pid": "INTEGER"}


def _source(table: str, kind: str, columns: str, where: str = "true") -> str:
    """Insert one alertable row per event of ``table``: ``columns`` gives schedule, model,
    severity, title, text and detail (JSON) in that order."""
    return f"""INSERT INTO alert_sources
    SELECT id, {kind}, ts, run_id, {columns} FROM {table} WHERE {where}"""


DOMAIN = Domain(
    name="alerts",
    payloads={
        ev.SCHEDULE_MISSED: {"name": "VARCHAR", "scheduled_for": "DOUBLE", "reason": "VARCHAR"},
        ev.GATE_REFUSED: {"name": "VARCHAR", "version": "BIGINT", "alias": "VARCHAR",
                          "reason": "VARCHAR"},
        ev.ALERT: {"title": "VARCHAR", "text": "VARCHAR", "severity": "VARCHAR"},
        ev.PERFORMANCE_DRIFT: {"metric": "VARCHAR", "reference": "DOUBLE", "current": "DOUBLE",
                               "delta": "DOUBLE", "ci_low": "DOUBLE", "ci_high": "DOUBLE",
                               "p_value": "DOUBLE", "degraded": "BOOLEAN"},
        ev.ALERT_QUEUED: {"key": "VARCHAR", "rule": "VARCHAR", "channel": "VARCHAR",
                          "source": "VARCHAR", "kind": "VARCHAR", "severity": "VARCHAR",
                          "title": "VARCHAR", "text": "VARCHAR", "link": "VARCHAR",
                          "suppressed": "BOOLEAN"},
        ev.ALERT_EVALUATED: {"sources": "VARCHAR[]"},
        **{event_type: _ATTEMPT for event_type in _OUTCOMES},
    },
    migrations={
        11: """
        CREATE TABLE alert_sources (
            id VARCHAR, kind VARCHAR, ts TIMESTAMP, run_id VARCHAR, schedule VARCHAR,
            model VARCHAR, severity VARCHAR, title VARCHAR, text VARCHAR, detail VARCHAR);
        CREATE TABLE alert_evaluated (source VARCHAR, ts TIMESTAMP);
        CREATE TABLE alert_messages (
            key VARCHAR, rule VARCHAR, channel VARCHAR, source VARCHAR, kind VARCHAR,
            severity VARCHAR, title VARCHAR, text VARCHAR, link VARCHAR, run_id VARCHAR,
            suppressed BOOLEAN, created TIMESTAMP);
        CREATE TABLE alert_attempts (
            key VARCHAR, attempt INTEGER, outcome VARCHAR, until TIMESTAMP,
            next_at TIMESTAMP, error VARCHAR, detail VARCHAR, host VARCHAR, pid INTEGER,
            ts TIMESTAMP, event_id VARCHAR);
        """,
    },
    inserts=[
        _source(_ENDED, "'job_' || status",
                "NULL, NULL, NULL, NULL, concat_ws(chr(10), reason, error_type || ': ' || "
                "error_message), json_object('reason', reason, 'failed_cell', failed_cell, "
                "'output', output)",
                "status IS NOT NULL AND status <> 'running'"),
        _source(_DRIFT, "'drift'",
                "NULL, model, NULL, NULL, NULL, json_object('report', id, 'columns', "
                "list_transform(list_filter(columns, lambda c: c.drifted), "
                "lambda c: c.\"column\"), "
                "'share_drifted', share_drifted)", "dataset_drift"),
        _source(_ALIAS, "'alias_moved'", "NULL, name, NULL, NULL, NULL, json_object("
                "'alias', alias, 'version', version, 'previous', previous, 'set_by', set_by)"),
        _source(_ALERT, "'user'", "NULL, NULL, severity, title, text, NULL"),
        _source(_MISSED, "'schedule_missed'",
                f"name, NULL, NULL, NULL, reason, json_object('scheduled_for', "
                f"strftime({TS.format('scheduled_for')}, '%Y-%m-%dT%H:%M:%S+00:00'))"),
        _source(_PERFORMANCE, "'performance_drift'", "NULL, NULL, NULL, NULL, NULL, "
                "json_object('metric', metric, 'reference', reference, 'current', current, "
                "'ci_low', ci_low, 'ci_high', ci_high, 'p_value', p_value)", "degraded"),
        _source(_GATE, "'gate_refused'", "NULL, name, NULL, NULL, reason, "
                "json_object('version', version, 'alias', alias)"),
        f"""INSERT INTO alert_evaluated
        SELECT unnest(sources), ts FROM {_EVALUATED}""",
        f"""INSERT INTO alert_messages
        SELECT key, rule, channel, source, kind, severity, title, text, link, run_id,
               coalesce(suppressed, false), ts
        FROM {_QUEUED} q
        WHERE key IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM alert_messages m WHERE m.key = q.key)
        QUALIFY row_number() OVER (PARTITION BY key ORDER BY id) = 1""",
        *(f"""INSERT INTO alert_attempts
        SELECT key, attempt, '{outcome}', {TS.format("until")}, {TS.format("next_at")},
               error, detail, host, pid, ts, id
        FROM {events_table(event_type)} WHERE key IS NOT NULL"""
          for event_type, outcome in _OUTCOMES.items()),
    ],
)
