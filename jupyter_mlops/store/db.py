"""The one module that calls ``duckdb.connect``.

Callers must hold the store lock (see :mod:`.lock`); :func:`connect` takes it for them.
Reading a store that has no database yet gives an empty in-memory one with the same schema.
duckdb is imported here lazily: the capture path in a kernel never imports it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..exceptions import StoreError
from . import Store
from .lock import DEFAULT_TIMEOUT, hold

if TYPE_CHECKING:
    import duckdb


@contextlib.contextmanager
def connect(store: Store, *, write: bool, timeout: float = DEFAULT_TIMEOUT,
            threads: int | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the store's database, opened and closed under the store lock.

    ``threads=1`` suits small interactive reads: a connection's thread pool costs more to
    start and stop than it saves on a query that touches one row group.
    """
    import duckdb

    # A store where nothing was recorded yet (no folder, or no database) is no outage: it
    # reads as an empty database. Nothing to guard without a folder; with one, the database's
    # absence is checked under the lock (a rebuild moves the file aside while it holds it).
    guard = (hold(store, exclusive=write, timeout=timeout) if write or store.root.exists()
             else contextlib.nullcontext())
    with guard:
        if write or store.db_path.exists():
            try:
                con = duckdb.connect(str(store.db_path), read_only=not write,
                                     config={"threads": threads} if threads else {})
            except duckdb.Error as e:
                raise StoreError(
                    f"cannot open {store.db_path}: {e}. If the file is damaged, "
                    f"`jupyter mlops rebuild` recreates it from the archived events."
                ) from None
        else:
            con = _empty().cursor()
        try:
            yield con
        finally:
            con.close()


_empty_lock = threading.Lock()
_empty_db: list[duckdb.DuckDBPyConnection] = []


def _empty() -> duckdb.DuckDBPyConnection:
    """An in-memory database with the store's schema and no rows, made once per process
    (migrating costs ~0.15 s); each reader gets its own cursor on it."""
    import duckdb

    from .schema import migrate

    with _empty_lock:
        if not _empty_db:
            con = duckdb.connect(":memory:")
            migrate(con)
            _empty_db.append(con)
        return _empty_db[0]


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
        ) -> list[tuple[Any, ...]]:
    """Execute and drain: DuckDB 2.0 refuses new work while a result is unfinished."""
    return con.execute(sql, params or []).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The first column of the first row (None if there is none), result drained."""
    rows = run(con, sql, params)
    return rows[0][0] if rows else None


@contextlib.contextmanager
def scratch(memory_limit: str, threads: int | None = None
            ) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory connection for scanning the user's files (no store, so no lock), its
    memory capped so a scan larger than memory spills to a temporary folder instead; no
    progress bar (it would print into the user's cell)."""
    import duckdb

    config: dict[str, Any] = {"memory_limit": memory_limit}
    if threads:
        config["threads"] = threads
    con = duckdb.connect(":memory:", config=config)
    con.execute("SET enable_progress_bar = false")
    try:
        yield con
    finally:
        con.close()
