"""Reads of the alerts domain: what the rules have not seen yet, the outbox's open messages
and its history (gathered into :mod:`jupyter_mlops.store.queries`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import Store, db
from ..read import frame, reading

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

#: Alertable rows: the ingested events, and the runs ingest closed as died (no event says
#: so: ingest decides it), with their run's experiment and job's schedule.
_SOURCES = """
    SELECT s.id, s.kind, epoch_us(s.ts) / 1e6 AS ts, s.run_id, r.name AS run_name,
           r.experiment,
           coalesce(s.schedule, j.schedule) AS schedule, s.model, s.severity, s.title,
           s.text, s.detail
    FROM (SELECT * FROM alert_sources
          UNION ALL
          SELECT 'run_died:' || id, 'run_died', ended, id, NULL, NULL, NULL, NULL, NULL, NULL
          FROM runs WHERE status = 'died' AND ended IS NOT NULL) s
    LEFT JOIN runs r ON r.id = s.run_id
    LEFT JOIN jobs j ON j.run_id = s.run_id
    WHERE s.ts >= make_timestamp(CAST(? * 1000000 AS BIGINT))
      AND NOT EXISTS (SELECT 1 FROM alert_evaluated e WHERE e.source = s.id)
    ORDER BY s.ts, s.id"""

#: Each message with its latest attempt: ``state`` is queued, suppressed, claimed, retry,
#: delivered or failed.
_LATEST = """
    SELECT m.*, coalesce(a.outcome, CASE WHEN m.suppressed THEN 'suppressed'
                                          ELSE 'queued' END) AS state,
           coalesce(a.attempt, 0) AS attempt, a.until, a.next_at, a.ts AS state_at,
           a.detail, (SELECT arg_max(error, b.event_id) FROM alert_attempts b
                      WHERE b.key = m.key AND b.error IS NOT NULL) AS last_error
    FROM alert_messages m
    LEFT JOIN (SELECT key, arg_max(COLUMNS(* EXCLUDE (key)), event_id) FROM alert_attempts
               GROUP BY key) a ON a.key = m.key"""


def _dicts(con: duckdb.DuckDBPyConnection, sql: str,
           params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def alert_outbox(store: Store, *, since: float, recent_since: float) -> dict[str, Any]:
    """What a deliverer needs in one read: the alertable rows since ``since`` the rules have
    not seen, the open messages (``due_at``: epoch seconds when they may be sent), and the
    messages queued since ``recent_since`` (for rate limits). Times: epoch seconds."""
    with db.connect(store, write=False, threads=1) as con:
        sources = _dicts(con, _SOURCES, [since])
        open_ = _dicts(con, f"""
            SELECT key, rule, channel, source, kind, severity, title, text, link, run_id,
                   epoch_us(created) / 1e6 AS created, attempt, state,
                   epoch_us(CASE state WHEN 'claimed' THEN until WHEN 'retry' THEN next_at
                                  ELSE created END) / 1e6 AS due_at
            FROM ({_LATEST}) WHERE state IN ('queued', 'claimed', 'retry')""")
        recent = _dicts(con, """
            SELECT rule, key, epoch_us(created) / 1e6 AS created, suppressed
            FROM alert_messages
            WHERE created >= make_timestamp(CAST(? * 1000000 AS BIGINT))""",
            [recent_since])
    return {"sources": sources, "open": open_, "recent": recent}


def alert_history(store: Store, *, rule: str | None = None, state: str | None = None,
                  limit: int = 50) -> pd.DataFrame:
    """Messages, newest first, each with its state (queued, suppressed, claimed, retry,
    delivered, failed), its attempts and its last error."""
    with reading(store) as con:
        return frame(con, f"""
            SELECT key, rule, channel, kind, severity, title, text, link, run_id, source,
                   created, state, attempt AS attempts, state_at, last_error
            FROM ({_LATEST})
            WHERE (? IS NULL OR rule = ?) AND (? IS NULL OR state = ?)
            ORDER BY created DESC, key LIMIT ?""",
            [rule, rule, state, state, int(limit)])
