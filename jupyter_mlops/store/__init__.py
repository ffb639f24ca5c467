"""The event store: spool files (the truth), ingest, and the DuckDB file (a materialized view).

See docs/architecture.md. The layout of one store folder::

    spool/        one append-only JSONL file per writing process (segments rotate)
    archive/      spool files whose writer has ended and whose bytes are all ingested
    quarantine/   lines ingest could not parse, kept with their origin
    mlops.duckdb  the database; opened only while holding store.lock
    store.lock    flock: shared for readers, exclusive for ingest
    state.json    generation and spool offsets as of the last ingest (a cache, not the truth)
    recent_runs.json  the latest runs as listed, for that generation (a cache; store/recent.py)
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..config import store_path
from ..exceptions import StoreError


@dataclass(frozen=True)
class Store:
    root: Path
    #: Readers ingest pending spool first (so a kernel sees its own cells); a long-lived
    #: process that ingests in the background (the server) turns this off, so that its
    #: reads never queue behind one another's ingests while kernels write.
    ingest_on_read: bool = True

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *,
             ingest_on_read: bool = True) -> Store:
        """The store at ``path`` (default: see :func:`jupyter_mlops.config.store_path`)."""
        return cls(store_path(path), ingest_on_read)

    @property
    def spool_dir(self) -> Path:
        return self.root / "spool"

    @property
    def archive_dir(self) -> Path:
        return self.root / "archive"

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "quarantine"

    @property
    def db_path(self) -> Path:
        return self.root / "mlops.duckdb"

    @property
    def lock_path(self) -> Path:
        return self.root / "store.lock"

    @property
    def state_path(self) -> Path:
        return self.root / "state.json"

    @property
    def recent_runs_path(self) -> Path:
        return self.root / "recent_runs.json"

    def ensure(self) -> None:
        """Create the folders a writer needs, or say clearly why that is impossible."""
        try:
            for d in (self.spool_dir, self.archive_dir):
                d.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(
                f"cannot create the store at {self.root}: {e.strerror}. "
                f"Set JUPYTER_MLOPS_HOME to a writable folder."
            ) from None


def replace_file(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all: readers never see half a file, and a write that
    fails (a full disk) leaves no temporary file behind to hold the space."""
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    try:
        tmp.write_text(text)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
