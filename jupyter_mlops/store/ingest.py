"""Ingest: spool bytes into DuckDB, exactly once.

Under the exclusive store lock, ingest reads every spool file from its recorded offset up to
its last complete line, applies the events and the new offsets in one transaction, commits,
then archives files whose writer has ended. Event ids make it idempotent: an event already
in ``event_log`` is never applied twice, whatever was copied or replayed. A crash before the
commit leaves the old offsets (the bytes are read again); after it, the new ones.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import json
import logging
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from ..events import Event
from ..exceptions import StoreError
from . import Store, consumers, db, recent
from .apply import apply_chunks
from .batch import Batch, queue
from .deaths import close_dead_runs
from .lock import hold
from .schema import migrate
from .spool import (
    archived_files,
    is_sealed,
    read_complete,
    spool_files,
    writer_alive,
)
from .state import pending as pending  # re-exported: callers of the old home
from .state import pending_bytes as pending_bytes
from .state import read_state as read_state
from .state import write_state
from .subscribers import SUBSCRIBERS, Subscribers

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger("jupyter_mlops")

#: Events applied per transaction when catching up on a large backlog (bounds memory).
BATCH_EVENTS = 250_000
#: Test-only fault injection: "before_commit" or "after_commit" kills this process there.
FAULT_ENV = "JUPYTER_MLOPS_FAULT"


@dataclass
class IngestResult:
    events: int = 0
    duplicates: int = 0
    files: int = 0
    archived: int = 0
    runs_closed: int = 0
    generation: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    #: The events applied, in spool order, when collected (see :func:`ingest`); else None.
    applied: list[Event] | None = None


class Source(Protocol):
    """Events from elsewhere (:mod:`.team.pull`), applied like the spool's: ``fetch(after)``
    gives lines by spool file, the new position (``spool_files`` row ``cursor``), more?"""

    cursor: str

    def fetch(self, after: int) -> tuple[dict[str, bytes], int, bool]: ...


def ingest_if_pending(store: Store) -> IngestResult | None:
    """Ingest when there is something to ingest; what every reader calls first."""
    if pending(store):
        return ingest(store)
    return None


def ingest(store: Store, *, subscribers: Subscribers | None = None,
           collect: bool = False, source: Source | None = None) -> IngestResult:
    """Apply all new spool bytes to the database; rebuilds it first if the file is missing.

    The events applied are collected into ``result.applied`` when ``collect`` is true or
    there are subscribers (``subscribers``, else this process's :data:`SUBSCRIBERS`), which
    are called with them after the commit, once the store lock is released. A rebuild
    notifies no one: its events were applied before. ``source``: events from elsewhere to
    apply too (after the spool's, in batches of their own).
    """
    store.ensure()
    registry = SUBSCRIBERS if subscribers is None else subscribers
    with hold(store, exclusive=True), _write_errors(store):
        if not store.db_path.exists() and archived_files(store):
            log.warning("jupyter-mlops: %s is missing; rebuilding it from the archived events",
                        store.db_path)
            return _rebuild_locked(store)
        with db.connect(store, write=True) as con:
            result = _ingest_files(store, con, fresh=False,
                                   collect=collect or bool(registry), source=source)
    if result.applied and registry:
        registry.notify(store, result.applied)
    return result


def rebuild(store: Store) -> IngestResult:
    """Recreate the database from archived and pending spool files; the old file is kept aside."""
    store.ensure()
    with hold(store, exclusive=True), _write_errors(store):
        return _rebuild_locked(store)


@contextlib.contextmanager
def _write_errors(store: Store) -> Iterator[None]:
    """An ingest that cannot write (a full disk above all) ends in one clear line, not a
    traceback. Nothing is lost: the offsets move only with a commit, so the next ingest
    applies whatever this one could not, and readers meanwhile see the last committed state."""
    import duckdb

    try:
        yield
    except (OSError, duckdb.Error) as e:
        text = " ".join(str(e).split())
        if (getattr(e, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
                or "No space left on device" in text or "Disk quota exceeded" in text):
            raise StoreError(
                f"the disk holding the store is full: {text}. Free space there (or move "
                f"JUPYTER_MLOPS_HOME); the events wait in {store.spool_dir} and the next ingest "
                f"applies them.") from None
        if isinstance(e, OSError):
            raise StoreError(f"ingest could not update the store at {store.root}: {text}. "
                             f"The next ingest retries; nothing is lost.") from None
        raise


def _rebuild_locked(store: Store) -> IngestResult:
    if store.db_path.exists():
        aside = store.db_path.with_name(f"{store.db_path.name}.replaced-{int(time.time())}")
        store.db_path.rename(aside)
        wal = store.db_path.with_name(store.db_path.name + ".wal")
        if wal.exists():
            wal.rename(aside.with_name(aside.name + ".wal"))
        log.warning("jupyter-mlops: the old database was moved to %s", aside)
    with db.connect(store, write=True) as con:
        return _ingest_files(store, con, fresh=True)


def _ingest_files(store: Store, con: duckdb.DuckDBPyConnection, *, fresh: bool,
                  collect: bool = False, source: Source | None = None) -> IngestResult:
    started = time.perf_counter()
    result = IngestResult(applied=[] if collect else None)
    migrate(con)
    offsets: dict[str, int] = {} if fresh else dict(
        db.run(con, 'SELECT file, "offset" FROM spool_files'))
    pending_files = spool_files(store)
    archived = archived_files(store) if fresh else []
    sources = archived + pending_files
    # Sealed-ness and death are decided before reading: a sealed file gets no more bytes, so
    # once read it can be archived; a dead writer wrote its last line before the read.
    # Files that appear after this line wait for the next ingest.
    sealed = [p for p in pending_files if is_sealed(p)]
    unchanging = set(sealed) | set(archived)  # nothing appends to these or cuts them back
    writers = {_writer(p.name) for p in sources} | {w for (w,) in db.run(
        con, "SELECT DISTINCT writer FROM runs WHERE status = 'running'")}
    dead = [w for w in writers if w and not writer_alive(store, w)]

    batch, ends = Batch(), {}
    for path in sources:
        offset = offsets.get(path.name, 0)
        data = read_complete(path, offset, sealed=path in unchanging)
        result.files += bool(data)
        queue(data, path.name, offset, batch)
        batch.offsets[path.name] = ends[path.name] = offset + len(data)
        if batch.lines >= BATCH_EVENTS:
            _commit(store, con, batch, result, dead_writers=None)
            batch = Batch()
    _commit(store, con, batch, result, dead_writers=dead)
    while source is not None:
        after = db.scalar(con, 'SELECT "offset" FROM spool_files WHERE file = ?', [source.cursor])
        lines, position, more = source.fetch(int(after or 0))
        batch = Batch(offsets={source.cursor: position})
        for file, text in lines.items():
            queue(text, file, 0, batch)
        _commit(store, con, batch, result, dead_writers=None)
        source = source if more else None

    for path in sealed:  # every complete line of a sealed file is in the database now
        size = path.stat().st_size
        if not consumers.all_passed(store, path.name, size):
            continue  # another consumer has not read it all yet: it stays in the spool
        torn = size - ends[path.name]
        if torn > 0:
            message = (f"the last {torn} bytes of {path.name} are a torn line (its writer "
                       f"died mid-write); they are archived, not applied")
            log.warning("jupyter-mlops: %s", message)
            result.warnings.append(message)
        path.rename(store.archive_dir / path.name)
        result.archived += 1
    state = read_state(store)
    live_offsets = dict(db.run(con, 'SELECT file, "offset" FROM spool_files'))
    # A commit whose state was never written (the disk filled right after it) changed the
    # database too: its offsets are ahead of the published ones.
    unpublished = any(live_offsets.get(f, 0) != o for f, o in state.get("offsets", {}).items())
    result.generation = state.get("generation", 0) + (1 if result.events or result.archived
                                                       or result.runs_closed or fresh
                                                       or unpublished else 0)
    if result.generation != state.get("generation") or not store.recent_runs_path.exists():
        recent.write(store, con, result.generation)  # before the state that makes it current
    write_state(store, {
        "generation": result.generation,
        "offsets": {p.name: live_offsets.get(p.name, 0) for p in spool_files(store)},
        "ingested_at": time.time(),
    })
    result.seconds = time.perf_counter() - started
    return result


def _fault(point: str) -> None:
    if os.environ.get(FAULT_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)


def _commit(
    store: Store,
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    result: IngestResult,
    dead_writers: list[str] | None,
) -> None:
    """Apply one batch and its offsets atomically; close runs whose writer is gone."""
    import duckdb

    db.run(con, "BEGIN TRANSACTION")
    try:
        if batch.chunks:
            lines, files = batch.tables()
            con.register("_lines", lines)
            con.register("_chunks", files)
            applied, duplicates, corrupt = apply_chunks(con, batch.lines)
            con.unregister("_lines")
            con.unregister("_chunks")
            result.events += applied
            result.duplicates += duplicates
            if result.applied is not None and applied:
                result.applied += _applied_events(con)
            for chunk_no, line_no in corrupt:
                chunk = batch.chunks[chunk_no]
                batch.corrupt.append((chunk.file, chunk.position(line_no), chunk.raw(line_no)))
        if batch.offsets:
            con.register("_offsets", pd.DataFrame({"file": list(batch.offsets),
                                                   "offset": list(batch.offsets.values())}))
            db.run(con, "DELETE FROM spool_files WHERE file IN (SELECT file FROM _offsets)")
            db.run(con, 'INSERT INTO spool_files SELECT file, "offset" FROM _offsets')
            con.unregister("_offsets")
        if dead_writers is not None:
            result.runs_closed += close_dead_runs(store, con, dead_writers)
        _fault("before_commit")
        db.run(con, "COMMIT")
    except BaseException:
        # A COMMIT that failed (a full disk) has already ended the transaction.
        with contextlib.suppress(duckdb.TransactionException):
            db.run(con, "ROLLBACK")
        raise
    _fault("after_commit")
    for file, position, raw in batch.corrupt:
        _quarantine(store, file, position, raw, result)


def _applied_events(con: duckdb.DuckDBPyConnection) -> list[Event]:
    """The events the last batch applied (``_new``, see :func:`.apply.apply_chunks`)."""
    return [Event(type_, json.loads(payload), id_, ts) for id_, type_, ts, payload in db.run(
        con, "SELECT id, type, epoch_us(ts) / 1e6, CAST(p AS VARCHAR) FROM _new "
             "ORDER BY chunk, idx")]


def _quarantine(store: Store, file: str, position: int, line: bytes, result: IngestResult) -> None:
    store.quarantine_dir.mkdir(exist_ok=True)
    target = store.quarantine_dir / f"{file}@{position}.json"
    target.write_text(json.dumps({
        "file": file, "offset": position, "bytes_base64": base64.b64encode(line).decode()
    }))
    message = (f"skipped a corrupt spool line in {file} at byte {position} "
               f"(kept in {target}); everything else was ingested")
    log.warning("jupyter-mlops: %s", message)
    result.warnings.append(message)


def _writer(file: str) -> str:
    """The writer part of a spool file's name (as :data:`.domains.runs.WRITER` computes it
    in SQL)."""
    return file.rpartition("-")[0]
