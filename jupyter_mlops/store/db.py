"""The one module that calls ``duckdb.connect``.

Callers must hold the store lock (see :mod:`.lock`); :func:`connect` takes it for them.
duckdb is imported here lazily: the capture path in a kernel never imports it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from . import Store, StoreError
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

    with hold(store, exclusive=write, timeout=timeout):
        if not write and not store.db_path.exists():
            raise StoreError(
                f"the store at {store.root} has no database yet. "
                f"Run `jupyter mlops ingest` (or record a run) first."
            )
        try:
            con = duckdb.connect(str(store.db_path), read_only=not write,
                                 config={"threads": threads} if threads else {})
        except duckdb.Error as e:
            raise StoreError(
                f"cannot open {store.db_path}: {e}. If the file is damaged, "
                f"`jupyter mlops rebuild` recreates it from the archived events."
            ) from None
        try:
            yield con
        finally:
            con.close()


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
        ) -> list[tuple[Any, ...]]:
    """Execute and drain: DuckDB 2.0 refuses new work while a result is unfinished."""
    return con.execute(sql, params or []).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The first column of the first row (None if there is none), result drained."""
    rows = run(con, sql, params)
    return rows[0][0] if rows else None
