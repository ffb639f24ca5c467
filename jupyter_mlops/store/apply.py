"""How events become rows: set-based SQL over a batch of raw spool lines.

DuckDB parses each line's envelope (the lines come as Arrow, see :mod:`.batch`); then each
event type's payloads are parsed once, into typed columns (``_e_<type>``, declared by the
domain that owns the type: see :mod:`.domains`), and each domain's statements read those
columns instead of parsing JSON again. A malformed field from a foreign writer becomes NULL
instead of blocking every later ingest. Every domain's inserts run before any update, so the
order of events inside a batch never matters.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from .db import run, scalar
from .domains import DOMAINS
from .domains.base import PARTS, TS, events_table, reads

if TYPE_CHECKING:
    import duckdb

#: The envelope of every event; the payload stays JSON text until its type's parse.
_ENVELOPE = ('{"id": "VARCHAR", "type": "VARCHAR", "ts": "DOUBLE", "user": "VARCHAR", '
             '"host": "VARCHAR", "payload": "JSON"}')
_YEAR_3000 = 32_503_680_000
#: Below this many lines a batch is applied in one part: its statements are too short for
#: a second thread to pay for itself.
PARALLEL_LINES = 20_000

#: ``_lines(chunk, idx, line)`` -> ``_parsed``: one row per line (see :mod:`.batch`), its
#: envelope parsed; DuckDB scans the Arrow lines in parallel on its own. ``try`` turns a line
#: that is not JSON into NULL instead of an error. ``ok``: the line is a well-formed event (a
#: JSON payload that from_json re-serialises starts with "{" exactly when it is an object).
#: The spool file is not copied to every line (it costs a tenth of the parse):
#: :func:`_with_file` joins it from ``_chunks(chunk, file)`` where needed.
PARSE = f"""
CREATE OR REPLACE TEMP TABLE _parsed AS
SELECT chunk, idx, e.id, e.type, CASE WHEN ok THEN {TS.format("e.ts")} END AS ts,
       e.user AS by_user, e.host AS by_host, e.payload AS p, ok
FROM (
    SELECT *, coalesce(e.id IS NOT NULL AND e.type IS NOT NULL
                       AND e.ts BETWEEN 0 AND {_YEAR_3000}
                       AND starts_with(CAST(e.payload AS VARCHAR), '{{'), false) AS ok
    FROM (
        SELECT chunk, idx, try(from_json(line, '{_ENVELOPE}')) AS e FROM _lines
        WHERE line <> chr(10)))"""

#: ``_parsed`` -> ``_incoming``: the lines that are well-formed events.
INCOMING = "CREATE OR REPLACE TEMP VIEW _incoming AS SELECT * EXCLUDE (ok) FROM _parsed WHERE ok"

#: ``_incoming`` -> ``_new``: events not applied before (by id); the same event twice in
#: one batch (a copied spool file): the first. Only run when there is such a duplicate.
DEDUPE = """
CREATE OR REPLACE TEMP TABLE _deduped AS
SELECT * FROM _incoming i WHERE NOT EXISTS (SELECT 1 FROM event_log e WHERE e.id = i.id)
QUALIFY row_number() OVER (PARTITION BY id ORDER BY chunk, idx) = 1
"""

#: Event type -> its payload's fields (every payload may carry the run it belongs to).
PAYLOADS: dict[str, dict[str, Any]] = {
    event_type: {"run_id": "VARCHAR", **fields}
    for domain in DOMAINS for event_type, fields in domain.payloads.items()}

#: Every statement of every domain, with the event types it reads.
STATEMENTS: list[tuple[str, frozenset[str]]] = [
    (sql, reads(sql)) for phase in ("inserts", "updates") for domain in DOMAINS
    for sql in getattr(domain, phase)]


#: Envelope columns an ``_e_<type>`` table carries only when a statement reading it names
#: them: the spool file, and the user and host that wrote each event (NULL for older events).
#: Copying them to every params or metrics event costs a fifth of parsing its payload.
_EXTRAS = ("file", "by_user", "by_host")

#: Event type -> the extra envelope columns its statements read.
EXTRAS: dict[str, list[str]] = {
    event_type: [c for c in _EXTRAS if any(
        event_type in types and re.search(rf"\b{c}\b", sql) for sql, types in STATEMENTS)]
    for event_type in PAYLOADS}


def _with_file(columns: str) -> str:
    """``_new``'s ``columns``, where ``file`` is each event's spool file (from ``_chunks``)."""
    return f"SELECT {columns} FROM _new JOIN (SELECT chunk, file FROM _chunks) USING (chunk)"


def _typed(event_type: str, fields: dict[str, Any], present: bool) -> str:
    """``_e_<type>``: the new events of one type, their payload parsed once (an empty
    table when the batch has none, for the statements that read several types), with
    the envelope columns of :data:`EXTRAS` its statements read."""
    extras = "".join(f"{c}, " for c in EXTRAS[event_type])
    source = (_with_file("*") if "file" in EXTRAS[event_type] else "SELECT * FROM _new")
    return f"""
    CREATE OR REPLACE TEMP TABLE {events_table(event_type)} AS
    SELECT id, ts, {extras}q.* FROM (
        SELECT id, ts, {extras}from_json(p, '{json.dumps(fields)}') AS q
        FROM ({source}) WHERE type = '{event_type}' AND {str(present).lower()})"""


def apply_chunks(con: duckdb.DuckDBPyConnection, lines: int
                 ) -> tuple[int, int, list[tuple[int, int]]]:
    """Apply the events in the registered ``_lines`` and ``_chunks`` (see
    :meth:`.batch.Batch.tables`; ``lines`` lines in all).

    Returns (events applied, duplicates skipped, (chunk, line number) of lines that are not
    events, line numbers counting from 1). The applied events stay in ``_new`` until the
    next batch on this connection.

    Insertion order is not kept meanwhile (every reader orders by what it means), which
    lets DuckDB run the parts of a statement (see :func:`.domains.base.parts`) side by side
    when the batch has at least :data:`PARALLEL_LINES` lines.
    """
    run(con, f"SET VARIABLE parts = {PARTS if lines >= PARALLEL_LINES else 1}")
    run(con, "SET preserve_insertion_order = false")
    try:
        return _apply_chunks(con)
    finally:
        run(con, "RESET preserve_insertion_order")


def _apply_chunks(con: duckdb.DuckDBPyConnection) -> tuple[int, int, list[tuple[int, int]]]:
    run(con, PARSE)
    run(con, INCOMING)
    # distinct hashes of ids: fewer than the ids only when an id repeats (or, rarely, two
    # hashes collide: then DEDUPE finds nothing to drop); cheaper than grouping the strings
    lines, valid, distinct = run(
        con, "SELECT count(*), count(*) FILTER (ok), count(DISTINCT hash(id)) FILTER (ok) "
             "FROM _parsed")[0]
    corrupt = [] if lines == valid else [(r[0], r[1]) for r in run(
        con, "SELECT chunk, idx FROM _parsed WHERE NOT ok ORDER BY chunk, idx")]
    seen = scalar(con, "SELECT count(*) FROM _incoming SEMI JOIN event_log USING (id)")
    new = valid
    if seen or distinct < valid:
        run(con, DEDUPE)
        new = scalar(con, "SELECT count(*) FROM _deduped")
    # the usual case, nothing to drop: nothing to copy either
    run(con, f"CREATE OR REPLACE TEMP VIEW _new AS "
             f"SELECT * FROM {'_deduped' if new < valid else '_incoming'}")
    if new:
        _apply_new(con)
    return new, valid - new, corrupt


def _apply_new(con: duckdb.DuckDBPyConnection) -> None:
    run(con, f"INSERT INTO event_log {_with_file('id, type, ts, file')}")
    present = {t for (t,) in run(con, "SELECT DISTINCT type FROM _new")}
    statements = [(sql, types) for sql, types in STATEMENTS if not types or types & present]
    # the types of this batch, and empty tables for the others those statements read (each
    # statement costs milliseconds: a small batch does not pay for every type there is)
    read = present.union(*(types for _, types in statements))
    for event_type, fields in PAYLOADS.items():
        if event_type in read:
            run(con, _typed(event_type, fields, event_type in present))
    # the latest event per run (any type, known or not): a run's last sign of life
    known = ", ".join(f"'{t}'" for t in PAYLOADS)
    touched = " UNION ALL ".join(
        [f"SELECT run_id, ts FROM {events_table(t)}" for t in PAYLOADS if t in present]
        + [f"SELECT p->>'run_id' AS run_id, ts FROM _new WHERE type NOT IN ({known})"])
    run(con, f"""CREATE OR REPLACE TEMP TABLE _last AS
        SELECT run_id, max(ts) AS ts FROM ({touched}) WHERE run_id IS NOT NULL
        GROUP BY run_id""")
    for sql, _ in statements:
        run(con, sql)
