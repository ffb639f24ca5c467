"""A health report of a store that changes nothing: it never ingests or migrates."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..exceptions import StoreError
from . import Store, db
from .lock import holders
from .schema import VERSION, current_version
from .spool import archived_files, is_sealed, spool_files
from .state import pending_bytes, read_state


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _human(n: float) -> str:
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
        "size": _human(_size(store.root)),
        "database": (f"{store.db_path} ({_human(store.db_path.stat().st_size)})"
                     if store.db_path.exists() else "missing (next ingest rebuilds it)"),
        "spool files": f"{len(files)} ({len(live)} being written by live processes)",
        "pending": f"{_human(pending)} not yet ingested",
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
            report["schema version"] = f"{version} (this jupyter-mlops writes {VERSION})"
            report["runs"] = runs
        except StoreError as e:
            report["schema version"] = f"unknown: {e}"
    return report
