"""Shipping: this machine's spool into the team's event table, exactly once by event id.

The shipper is a spool consumer (:mod:`..consumers`). Each round reads the spool past its
offsets and COPYs the events straight into ``mlops.events``, commits, then advances its
offsets. The unique index on ``event_id`` makes that exactly once: a crash after the commit
leaves the offsets behind, and the next round's COPY of the same bytes then fails as a whole
on a duplicate id; that batch (and only it: a bundle merged on two machines is the other
case) is sent again through a temporary table with ``ON CONFLICT (event_id) DO NOTHING``,
which runs at about a third of a plain COPY's speed. The insert runs under a
transaction-level advisory lock, so ``seq`` values become visible in the order they were
assigned and a puller that has read up to ``seq`` N can never later find a committed event
below N. Each commit that adds events sends ``NOTIFY mlops_events`` (:data:`CHANNEL`):
pullers listening wake at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import Store, consumers
from ..spool import archived_files, read_complete, spool_files
from . import SHIPPER
from .connection import psycopg_module

#: The advisory lock every shipping insert takes (a number of our own).
SHIP_KEY = 0x6D6C6F70_73000002
#: Bytes of spool sent per transaction.
BATCH_BYTES = 16 << 20
_FAST_ID = re.compile(rb'\{"id":"([0-9a-f]{32})"')
#: Spool bytes framed at a time while a COPY streams.
PIECE_BYTES = 1 << 20

#: The channel every commit that adds events notifies (see :mod:`.listen`).
CHANNEL = "mlops_events"
COPY = "COPY mlops.events (event_id, file, body) FROM STDIN"
INSERT = """INSERT INTO mlops.events (event_id, file, body)
SELECT event_id, file, body FROM _ship ORDER BY ord ON CONFLICT (event_id) DO NOTHING"""


@dataclass
class Outgoing:
    """Spool lines for one COPY (text format) and the spool offsets they take the shipper
    to. Lines are framed as rows piece by piece while the COPY streams, so Python frames the
    next piece while PostgreSQL indexes the last one (through a queued writer)."""

    pieces: list[tuple[str, bytes]] = field(default_factory=list)
    size: int = 0
    offsets: dict[str, int] = field(default_factory=dict)
    _framed: list[bytes] = field(default_factory=list)

    def add(self, file: str, data: bytes) -> None:
        """Queue the complete lines ``data`` of spool file ``file``, in pieces of ~1 MiB."""
        start = 0
        while start < len(data):
            end = data.find(b"\n", start + PIECE_BYTES) + 1 or len(data)
            self.pieces.append((file, data[start:end]))
            start = end
        self.size += len(data)

    def rows(self) -> Iterator[bytes]:
        """The COPY rows, piece by piece (framed once, kept for a second attempt)."""
        yield from self._framed
        for file, data in self.pieces[len(self._framed):]:
            self._framed.append(_frame(file, data))
            yield self._framed[-1]


def _frame(file: str, data: bytes) -> bytes:
    """``event_id TAB file TAB line`` per event line of ``data``."""
    prefix = b"\t" + _escape(file.encode()) + b"\t"
    rows = []
    for line in data.split(b"\n"):
        event_id = _event_id(line)
        if event_id is None or b"\x00" in line:
            continue  # not an event: ingest quarantines it locally, nobody else needs it
        rows.append(event_id + prefix + _escape(line) + b"\n")
    return b"".join(rows)


def _escape(value: bytes) -> bytes:
    """COPY's text format: backslash, tab, newline and carriage return escaped."""
    if b"\\" in value or b"\t" in value or b"\r" in value:
        value = value.replace(b"\\", b"\\\\").replace(b"\t", b"\\t").replace(b"\r", b"\\r")
    return value


def _event_id(line: bytes) -> bytes | None:
    """The event's id as COPY text; None for a line that is not a UTF-8 JSON event."""
    match = _FAST_ID.match(line)  # how this package writes every event
    try:
        if match and line.endswith(b"}"):
            line.decode()
            return match.group(1)
        event = json.loads(line)
    except ValueError:  # also UnicodeDecodeError
        return None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) \
            or not isinstance(event.get("payload"), dict):
        return None
    return _escape(event["id"].replace("\n", " ").encode())


def ship(store: Store, con: Any) -> int:
    """Send every complete spool line not yet shipped; returns the events new to the team.

    Two shippers of one store at once (the server and ``team sync``): the second skips the
    round. Until a round has sent the archive (events from before the store joined) whole,
    each round sends it again: a first round cut short (PostgreSQL gone, the process killed)
    loses none of it, and what went already is skipped as shipped.
    """
    store.ensure()
    folder = store.root / "consumers"
    folder.mkdir(exist_ok=True)
    fd = os.open(folder / f"{SHIPPER}.ship.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0
        if SHIPPER not in consumers.registered(store):
            consumers.register(store, SHIPPER)
        sent = _ship_files(store, con, spool_files(store), consumers.offsets(store, SHIPPER))
        joined = folder / f"{SHIPPER}.archive-shipped"
        if not joined.exists():  # listed after the spool: a file archived meanwhile is here
            sent += _ship_files(store, con, archived_files(store), None)
            joined.touch()
        return sent
    finally:
        os.close(fd)


def _ship_files(store: Store, con: Any, files: list[Path], done: dict[str, int] | None) -> int:
    """Ship ``files`` from their offsets (``done``; None: whole archived files)."""
    sent, out = 0, Outgoing()
    for path in files:
        offset = 0 if done is None else done.get(path.name, 0)
        while True:
            try:
                data = _read(path, offset)
            except FileNotFoundError:  # archived meanwhile: every byte was read by us
                break
            if not data:
                break
            out.add(path.name, data)
            offset += len(data)
            out.offsets[path.name] = offset
            if out.size >= BATCH_BYTES:
                sent += _send(store, con, out, advance=done is not None)
                out = Outgoing()
    return sent + _send(store, con, out, advance=done is not None)


def _read(path: Path, offset: int) -> bytes:
    """Complete lines from ``offset``, about :data:`BATCH_BYTES` at most."""
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(BATCH_BYTES)
    end = data.rfind(b"\n")
    if end < 0 and len(data) == BATCH_BYTES:  # one line longer than a batch
        return read_complete(path, offset)
    return data[: end + 1]


def _send(store: Store, con: Any, out: Outgoing, *, advance: bool) -> int:
    inserted = 0
    if out.pieces:
        try:
            inserted = _copy(con, out)
        except psycopg_module().errors.UniqueViolation:  # these bytes (or some) were shipped
            inserted = _insert_new(con, out)
    if advance and out.offsets:
        consumers.advance(store, SHIPPER, out.offsets)
    return inserted


def _stream(cur: Any, statement: str, out: Outgoing) -> None:
    from psycopg.copy import QueuedLibpqWriter

    with cur.copy(statement, writer=QueuedLibpqWriter(cur)) as copy:
        for rows in out.rows():
            copy.write(rows)


def _copy(con: Any, out: Outgoing) -> int:
    """The common case: none of these events is in the team store yet."""
    with con.transaction(), con.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [SHIP_KEY])
        _stream(cur, COPY, out)
        inserted = int(max(cur.rowcount, 0))
        cur.execute(f"NOTIFY {CHANNEL}")
    return inserted


def _insert_new(con: Any, out: Outgoing) -> int:
    """The events of ``out`` the team store does not hold yet, the others dropped."""
    with con.transaction():
        con.execute("CREATE TEMP TABLE IF NOT EXISTS _ship (ord bigint GENERATED ALWAYS "
                    "AS IDENTITY, event_id text COLLATE \"C\", file text, body text) "
                    "ON COMMIT DELETE ROWS")
        con.execute("SET LOCAL work_mem = '64MB'")  # the ORDER BY of a batch, in memory
        with con.cursor() as cur:
            _stream(cur, "COPY _ship (event_id, file, body) FROM STDIN", out)
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [SHIP_KEY])
            cur.execute(INSERT)
            inserted = int(max(cur.rowcount, 0))
            if inserted:
                cur.execute(f"NOTIFY {CHANNEL}")
    return inserted
