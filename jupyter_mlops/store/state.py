"""The state cache ingest writes after each run (generation, offsets), and the cheap checks
every reader makes with it before deciding to ingest: stat and flock probes, never DuckDB."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from . import Store, consumers, replace_file
from .spool import is_sealed, spool_files


def read_state(store: Store) -> dict[str, Any]:
    """The state cache written by the last ingest (empty if there is none)."""
    try:
        state = json.loads(store.state_path.read_text())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def pending(store: Store) -> bool:
    """Whether an ingest has work to do; cheap (stat + flock probes), never opens DuckDB."""
    if not store.root.exists():
        return False
    if not store.db_path.exists():
        return True
    offsets = read_state(store).get("offsets")
    if offsets is None:
        return True
    for path in spool_files(store):
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            continue
        if size > offsets.get(path.name, 0):
            return True
        # a sealed file read to its end waits for its archiving, once every consumer is past
        if is_sealed(path) and consumers.all_passed(store, path.name, size):
            return True
    return False


def pending_bytes(store: Store) -> int:
    """Spool bytes written but not yet ingested (as of the last ingest's state cache)."""
    return spool_bytes(store, read_state(store).get("offsets", {}))


def spool_bytes(store: Store, offsets: dict[str, int] | None = None) -> int:
    """The spool's bytes past ``offsets`` (all of them without): a stat per file."""
    offsets = offsets or {}
    total = 0
    for path in spool_files(store):
        try:
            total += max(0, path.stat().st_size - offsets.get(path.name, 0))
        except FileNotFoundError:  # archived meanwhile
            continue
    return total


def write_state(store: Store, state: dict[str, Any]) -> None:
    replace_file(store.state_path, json.dumps(state))


def health(store: Store) -> dict[str, Any]:
    """Where the store is and how current: never ingests, opens DuckDB only for the schema."""
    from . import db
    from .schema import current_version

    state = read_state(store)
    version = None
    if store.db_path.exists():
        with db.connect(store, write=False, threads=1) as con:
            version = current_version(con)
    at = state.get("ingested_at")
    return {"store": str(store.root), "schema_version": version,
            "generation": state.get("generation", 0),
            "pending_bytes": pending_bytes(store) if store.root.exists() else 0,
            "last_ingest": None if at is None else datetime.fromtimestamp(at, timezone.utc)}
