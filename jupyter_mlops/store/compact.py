"""Compaction: archived spool segments rewritten without the events of deleted runs.

Only archived segments are touched (every byte of them applied and committed, every
consumer past them), and only after a CHECKPOINT has written the database file itself, so
nothing the database holds depends on a line removed. The tombstones stay, and so does
every event of the registry (versions, alias moves): a rebuild from the compacted archive
reaches the same state. Each segment is rewritten to a temporary file, fsynced, and renamed
over the old one: a crash leaves either segment whole (see docs/retention.md).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .. import events as ev
from . import Store, db
from .ingest import ingest
from .lock import hold
from .spool import archived_files

#: Events kept whichever run they name: the deletions themselves and the registry's history.
KEEP = frozenset({ev.RUN_DELETED, ev.FILES_FREED, ev.MODEL_VERSION, ev.ALIAS_SET})


@dataclass
class Compaction:
    files: int = 0  # segments that hold events of deleted runs
    events: int = 0  # events of deleted runs dropped (or that would be)
    bytes_before: int = 0
    bytes_after: int = 0


def _kept(line: bytes, gone: set[str]) -> bool:
    if b'"run_id":"' not in line:
        return True
    try:
        event = json.loads(line)
        return event["type"] in KEEP or event["payload"].get("run_id") not in gone
    except (ValueError, KeyError, TypeError, AttributeError):
        return True  # not an event: ingest quarantined it; compaction leaves it be


def _rewrite(path: Path, lines: list[bytes]) -> None:
    tmp = path.with_name(f".{path.name}.compact")
    try:
        with open(tmp, "wb") as f:
            f.writelines(lines)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def compact(store: Store, *, apply: bool) -> Compaction:
    """Drop the events of deleted runs from the archive (``apply=False``: count them)."""
    result = Compaction()
    with hold(store, exclusive=True):
        ingest(store)
        with db.connect(store, write=True) as con:
            gone = {r for (r,) in db.run(con, "SELECT DISTINCT run_id FROM run_deletions")}
            if apply and gone:
                db.run(con, "CHECKPOINT")
        if not gone:
            return result
        for path in archived_files(store):
            data = path.read_bytes()
            lines = data.splitlines(keepends=True)
            kept = [line for line in lines if _kept(line, gone)]
            if len(kept) == len(lines):
                continue
            result.files += 1
            result.events += len(lines) - len(kept)
            result.bytes_before += len(data)
            result.bytes_after += sum(map(len, kept))
            if apply:
                _rewrite(path, kept)
    return result
