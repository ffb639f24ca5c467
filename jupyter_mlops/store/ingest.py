"""Ingest: spool bytes into DuckDB, exactly once.

Under the exclusive store lock, ingest reads every spool file from its recorded offset up to
its last complete line, applies the events and the new offsets in one transaction, commits,
then archives files whose writer has ended. Event ids make it idempotent: an event already
in ``event_log`` is never applied twice, whatever was copied or replayed. A crash before the
commit leaves the old offsets (the bytes are read again); after it, the new ones.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import signal
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import events as ev
from . import Store, db
from .lock import hold
from .schema import migrate
from .spool import archived_files, is_sealed, read_complete, spool_files

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


@dataclass
class _Batch:
    """Events read from spool files, with where each file's reading stopped."""

    events: list[tuple[ev.Event, str]] = field(default_factory=list)
    offsets: dict[str, int] = field(default_factory=dict)
    corrupt: list[tuple[str, int, bytes]] = field(default_factory=list)


def read_state(store: Store) -> dict[str, Any]:
    """The state cache written by the last ingest (empty if there is none)."""
    try:
        return json.loads(store.state_path.read_text())
    except (OSError, ValueError):
        return {}


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
        if size > offsets.get(path.name, 0) or is_sealed(path):
            return True
    return False


def ingest_if_pending(store: Store) -> IngestResult | None:
    """Ingest when there is something to ingest; what every reader calls first."""
    if pending(store):
        return ingest(store)
    return None


def ingest(store: Store) -> IngestResult:
    """Apply all new spool bytes to the database; rebuilds it first if the file is missing."""
    store.ensure()
    with hold(store, exclusive=True):
        if not store.db_path.exists() and any(store.archive_dir.glob("*.jsonl")):
            log.warning("jupyter-mlops: %s is missing; rebuilding it from the archived events",
                        store.db_path)
            return _rebuild_locked(store)
        with db.connect(store, write=True) as con:
            return _ingest_files(store, con, fresh=False)


def rebuild(store: Store) -> IngestResult:
    """Recreate the database from archived and pending spool files; the old file is kept aside."""
    store.ensure()
    with hold(store, exclusive=True):
        return _rebuild_locked(store)


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


def _ingest_files(store: Store, con: duckdb.DuckDBPyConnection, *, fresh: bool) -> IngestResult:
    started = time.perf_counter()
    result = IngestResult()
    migrate(con)
    offsets: dict[str, int] = {} if fresh else dict(
        con.execute('SELECT file, "offset" FROM spool_files').fetchall()
    )
    pending_files = spool_files(store)
    # Sealed-ness is decided before reading: a sealed file gets no more bytes, so once read
    # it can be archived. Files that appear after this line wait for the next ingest.
    live = [p for p in pending_files if not is_sealed(p)]
    sealed = [p for p in pending_files if p not in live]
    sources = (archived_files(store) if fresh else []) + pending_files

    batch, ends = _Batch(), {}
    for path in sources:
        offset = offsets.get(path.name, 0)
        data = read_complete(path, offset)
        result.files += bool(data)
        _parse(data, path.name, offset, batch)
        batch.offsets[path.name] = ends[path.name] = offset + len(data)
        if len(batch.events) >= BATCH_EVENTS:
            _commit(store, con, batch, result, live_writers=None)
            batch = _Batch()
    live_writers = {_writer(p.name) for p in live}
    _commit(store, con, batch, result, live_writers=live_writers)

    for path in sealed:  # every complete line of a sealed file is in the database now
        torn = path.stat().st_size - ends[path.name]
        if torn > 0:
            message = (f"the last {torn} bytes of {path.name} are a torn line (its writer "
                       f"died mid-write); they are archived, not applied")
            log.warning("jupyter-mlops: %s", message)
            result.warnings.append(message)
        path.rename(store.archive_dir / path.name)
        result.archived += 1
    state = read_state(store)
    result.generation = state.get("generation", 0) + (1 if result.events or result.archived
                                                       or result.runs_closed or fresh else 0)
    live_offsets = dict(con.execute('SELECT file, "offset" FROM spool_files').fetchall())
    _write_state(store, {
        "generation": result.generation,
        "offsets": {p.name: live_offsets.get(p.name, 0) for p in spool_files(store)},
        "ingested_at": time.time(),
    })
    result.seconds = time.perf_counter() - started
    return result


def _writer(file_name: str) -> str:
    """The writer a spool file belongs to: its name without the segment number."""
    return file_name.rsplit("-", 1)[0]


def _parse(data: bytes, file: str, offset: int, batch: _Batch) -> None:
    if not data:
        return
    lines = data.split(b"\n")[:-1]
    try:  # fast path: one C-level parse for the whole chunk
        parsed = json.loads(b"[" + b",".join(lines) + b"]")
        batch.events.extend((ev.Event.from_dict(d), file) for d in parsed)
        return
    except (ValueError, AttributeError):
        pass
    position = offset
    for line in lines:
        try:
            batch.events.append((ev.Event.from_dict(json.loads(line)), file))
        except (ValueError, AttributeError):
            batch.corrupt.append((file, position, line))
        position += len(line) + 1


def _fault(point: str) -> None:
    if os.environ.get(FAULT_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)


def _commit(
    store: Store,
    con: duckdb.DuckDBPyConnection,
    batch: _Batch,
    result: IngestResult,
    live_writers: set[str] | None,
) -> None:
    """Apply one batch and its offsets atomically; close runs whose writer is gone."""
    con.execute("BEGIN TRANSACTION")
    try:
        fresh = _dedupe(con, batch.events)
        result.duplicates += len(batch.events) - len(fresh)
        _apply(con, fresh)
        result.events += len(fresh)
        if batch.offsets:
            off = pd.DataFrame({"file": list(batch.offsets),
                                "offset": list(batch.offsets.values())})
            con.register("_offsets", off)
            con.execute("DELETE FROM spool_files WHERE file IN (SELECT file FROM _offsets)")
            con.execute('INSERT INTO spool_files SELECT file, "offset" FROM _offsets')
            con.unregister("_offsets")
        if live_writers is not None:
            result.runs_closed += _close_dead_runs(con, live_writers)
        _fault("before_commit")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    _fault("after_commit")
    for file, position, line in batch.corrupt:
        _quarantine(store, file, position, line, result)


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


def _write_state(store: Store, state: dict[str, Any]) -> None:
    tmp = store.state_path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(state))
    tmp.replace(store.state_path)


def _dedupe(con: duckdb.DuckDBPyConnection, items: list[tuple[ev.Event, str]]) -> list[
        tuple[ev.Event, str]]:
    """Drop events already applied (by id) and repeats within the batch; sort by id."""
    unique: dict[str, tuple[ev.Event, str]] = {}
    for item in items:
        unique.setdefault(item[0].id, item)
    if not unique:
        return []
    log_df = pd.DataFrame({
        "id": list(unique),
        "type": [e.type for e, _ in unique.values()],
        "ts": pd.to_datetime([e.ts for e, _ in unique.values()], unit="s"),
        "file": [f for _, f in unique.values()],
    })
    con.register("_incoming", log_df)
    seen = {r[0] for r in con.execute(
        "SELECT id FROM _incoming SEMI JOIN event_log USING (id)").fetchall()}
    if seen:
        log_df = log_df[~log_df["id"].isin(seen)]
        con.register("_incoming", log_df)
    con.execute("INSERT INTO event_log BY NAME SELECT * FROM _incoming")
    con.unregister("_incoming")
    return sorted((item for i, item in unique.items() if i not in seen), key=lambda it: it[0].id)


def _ts(seconds: float | None) -> pd.Timestamp | None:
    return None if seconds is None else pd.Timestamp(seconds, unit="s")


def _apply(con: duckdb.DuckDBPyConnection, items: list[tuple[ev.Event, str]]) -> None:
    """Turn events into rows: inserts first, then updates, so batch order never matters."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    updates: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)  # kind -> run -> values
    last_event: dict[str, float] = {}
    for e, file in items:
        p = e.payload
        run_id = p.get("run_id")
        if run_id:
            last_event[run_id] = max(last_event.get(run_id, 0.0), e.ts)
        if e.type == ev.RUN_STARTED:
            rows["runs"].append({
                "id": run_id, "experiment": p.get("experiment"), "kind": p.get("kind"),
                "status": "running", "started": _ts(e.ts), "notebook": p.get("notebook"),
                "notebook_hash": p.get("notebook_hash"), "parent_run": p.get("parent_run"),
                "host": p.get("host"), "pid": p.get("pid"), "writer": _writer(file),
            })
            rows["experiments"].append({"name": p.get("experiment"), "created": _ts(e.ts)})
        elif e.type == ev.RUN_UPDATED:
            updates["experiment"][run_id] = {"experiment": p["experiment"]}
            rows["experiments"].append({"name": p["experiment"], "created": _ts(e.ts)})
        elif e.type == ev.RUN_ENVIRONMENT:
            env = p.get("environment", {})
            rows["environments"].append({
                "id": p["env_id"], "python": env.get("python"), "platform": env.get("platform"),
                "hostname": env.get("hostname"), "kernel": env.get("kernel"),
                "packages": json.dumps(env.get("packages", {}), sort_keys=True),
                "first_seen": _ts(e.ts),
            })
            updates["environment"][run_id] = {
                "env_id": p["env_id"], "git_commit": p.get("git_commit"),
                "git_dirty": p.get("git_dirty"), "notebook_hash": p.get("notebook_hash"),
            }
        elif e.type == ev.RUN_ENDED:
            updates["ended"][run_id] = {"status": p.get("status", "finished"), "ended": _ts(e.ts)}
        elif e.type == ev.CELL:
            _cell_rows(e, rows)
        elif e.type == ev.PARAMS:
            for key, value in p.get("params", {}).items():
                rows["params"].append({
                    "event_id": e.id, "run_id": run_id, "cell_seq": p.get("cell_seq"),
                    "key": key, "value": json.dumps(value, default=repr), "ts": _ts(e.ts),
                })
        elif e.type == ev.METRICS:
            for key, value in p.get("metrics", {}).items():
                rows["metrics"].append({
                    "event_id": e.id, "run_id": run_id, "cell_seq": p.get("cell_seq"),
                    "key": key, "value": value, "step": p.get("step"), "ts": _ts(e.ts),
                })

    for table in ("runs", "cells", "params", "metrics", "lineage_edges"):
        if rows[table]:
            _insert(con, table, pd.DataFrame(rows[table]))
    _insert_new(con, "experiments", "name", rows["experiments"])
    _insert_new(con, "environments", "id", rows["environments"])
    _insert_new(con, "datasets", "fingerprint", rows["datasets"])
    for values in updates.values():
        if values:
            _update_runs(con, values)
    if last_event:
        _update_runs(con, {r: {"last_event": _ts(t)} for r, t in last_event.items()},
                     greatest="last_event")


def _cell_rows(e: ev.Event, rows: dict[str, list[dict[str, Any]]]) -> None:
    p = e.payload
    rows["cells"].append({
        "event_id": e.id, "run_id": p.get("run_id"), "seq": p.get("seq"),
        "cell_id": p.get("cell_id"), "execution_count": p.get("execution_count"),
        "source": p.get("source"), "source_hash": p.get("source_hash"),
        "started": _ts(p.get("started", e.ts)), "duration_ms": p.get("duration_ms"),
        "status": p.get("status"), "error_type": p.get("error_type"),
        "error_message": p.get("error_message"),
        "reads": list(p.get("reads", [])), "writes": list(p.get("writes", [])),
    })
    for d in p.get("data", []):
        rows["datasets"].append({
            "fingerprint": d["fingerprint"], "kind": d.get("kind"), "shape": d.get("shape"),
            "schema": json.dumps(d.get("schema")), "nbytes": d.get("nbytes"),
            "first_seen": _ts(e.ts),
        })
        cell, data = ("cell", e.id), ("dataset", d["fingerprint"])
        src, dst = (data, cell) if d.get("role") == "read" else (cell, data)
        rows["lineage_edges"].append({
            "src_kind": src[0], "src_id": src[1], "dst_kind": dst[0], "dst_id": dst[1],
            "relation": "read" if d.get("role") == "read" else "wrote", "name": d.get("name"),
            "run_id": p.get("run_id"), "ts": _ts(e.ts), "event_id": e.id,
        })


def _insert(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    con.register("_rows", df)
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
    con.unregister("_rows")


def _insert_new(con: duckdb.DuckDBPyConnection, table: str, key: str,
                rows: list[dict[str, Any]]) -> None:
    """Insert rows whose key is not in the table yet (first occurrence wins)."""
    if not rows:
        return
    df = pd.DataFrame(rows).drop_duplicates(subset=[key])
    df = df[df[key].notna()]
    con.register("_rows", df)
    con.execute(
        f"INSERT INTO {table} BY NAME SELECT * FROM _rows r "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = r.{key})"
    )
    con.unregister("_rows")


def _update_runs(con: duckdb.DuckDBPyConnection, values: dict[str, dict[str, Any]],
                 greatest: str | None = None) -> None:
    df = pd.DataFrame.from_dict(values, orient="index")
    df.index.name = "run_id"
    df = df.reset_index()
    columns = [c for c in df.columns if c != "run_id"]
    sets = ", ".join(
        f"{c} = greatest(runs.{c}, u.{c})" if c == greatest else f"{c} = u.{c}" for c in columns
    )
    con.register("_updates", df)
    con.execute(f"UPDATE runs SET {sets} FROM _updates u WHERE runs.id = u.run_id")
    con.unregister("_updates")


def _close_dead_runs(con: duckdb.DuckDBPyConnection, live_writers: set[str]) -> int:
    """A run still 'running' whose writing process is gone died (kill -9, crash)."""
    live = pd.DataFrame({"writer": sorted(live_writers)}, dtype=object)
    con.register("_live", live)
    closed = con.execute(
        "UPDATE runs SET status = 'died', ended = last_event WHERE status = 'running' "
        "AND writer NOT IN (SELECT writer FROM _live)"
    ).fetchone()[0]
    con.unregister("_live")
    return closed

