"""A health report of a store that changes nothing: it never ingests or migrates."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import StoreError
from . import Store, db
from .lock import holders
from .queries.retention import Policy, folder_bytes, plan
from .schema import VERSION, current_version
from .spool import archived_files, is_sealed, spool_files
from .state import pending_bytes, read_state

if TYPE_CHECKING:
    import duckdb


def _by_kind(store: Store) -> str:
    """Bytes of each kind of thing the store keeps, largest first (the databases a rebuild
    moved aside are listed apart: deleting them is safe, and only a person does it)."""
    files = [p for p in store.root.glob(f"{store.db_path.name}*") if p.is_file()]
    kinds = {"database": sum(p.stat().st_size for p in files if ".replaced-" not in p.name),
             "spool": folder_bytes(store.spool_dir), "archive": folder_bytes(store.archive_dir),
             "artifacts": folder_bytes(store.root / "artifacts"),
             "job outputs": folder_bytes(store.root / "jobs"),
             "databases a rebuild kept": sum(p.stat().st_size for p in files
                                             if ".replaced-" in p.name)}
    return ", ".join(f"{k} {human(v)}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])
                     if v or k != "databases a rebuild kept")


def _reclaimable(con: duckdb.DuckDBPyConnection, store: Store) -> str:
    """What `jupyter mlops gc --yes` would free without a policy and with ``--failed``."""
    base = plan(con, store, Policy())
    failed = plan(con, store, Policy(failed=True))
    return (f"{human(base.bytes)} (orphaned blobs, an interrupted gc); with --failed "
            f"{human(failed.bytes)} ({len(failed.runs)} runs)")


def human(n: float) -> str:
    """Bytes as a person reads them (KiB, MiB, GiB)."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def _process(pid: int) -> str:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        cmd = "?"
    return f"pid {pid} ({cmd[:80]})"


def diagnose(store: Store) -> dict[str, Any]:
    """What `jupyter mlops doctor` prints, as a dict."""
    report: dict[str, Any] = {"store": store.root}
    if not store.root.exists():
        report["status"] = ("no store here yet: run a notebook with `%load_ext jupyter_mlops`, "
                            "or set JUPYTER_MLOPS_HOME")
        return report
    state = read_state(store)
    files = spool_files(store)
    live = [p for p in files if not is_sealed(p)]
    pending = pending_bytes(store)
    report.update({
        "size": human(folder_bytes(store.root)),
        "bytes": _by_kind(store),
        "database": (f"{store.db_path} ({human(store.db_path.stat().st_size)})"
                     if store.db_path.exists() else "missing (next ingest rebuilds it)"),
        "spool files": f"{len(files)} ({len(live)} being written by live processes)",
        "pending": f"{human(pending)} not yet ingested",
        "archived files": len(archived_files(store)),
        "quarantined": len(list(store.quarantine_dir.glob("*"))) if store.quarantine_dir.exists()
                       else 0,
        "generation": state.get("generation", 0),
        "last ingest": (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(state["ingested_at"]))
                        if "ingested_at" in state else "never"),
    })
    lock_holders = holders(store.lock_path) if store.lock_path.exists() else []
    report["lock"] = ", ".join(_process(p) for p in lock_holders) or "free"
    if store.db_path.exists():
        try:
            with db.connect(store, write=False, timeout=5, threads=1) as con:
                version = current_version(con)
                runs = db.scalar(con, "SELECT count(*) FROM runs") if version else 0
                reclaimable = _reclaimable(con, store) if version == VERSION else (
                    "unknown until the next ingest migrates the database")
            report["schema version"] = f"{version} (this jupyter-mlops writes {VERSION})"
            report["runs"] = runs
            report["gc would free"] = reclaimable
        except StoreError as e:
            report["schema version"] = f"unknown: {e}"
    return report
