"""The DuckDB schema as numbered migrations, applied in order by ingest.

Each domain declares its part of each migration (:mod:`.domains`). A migration is never
edited once released: add a new one. The version reached is stored in
``schema_version``. No primary keys: ingest deduplicates by event id itself, and DuckDB's
index checks on UPDATE are stricter than this append-mostly workload needs.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from .domains import DOMAINS

if TYPE_CHECKING:
    import duckdb

#: The store's own tables; each domain's are declared in its module (see :mod:`.domains`).
_CORE = {
    1: """
    CREATE TABLE spool_files (file VARCHAR, "offset" BIGINT);
    CREATE TABLE event_log (id VARCHAR, type VARCHAR, ts TIMESTAMP, file VARCHAR);
    """,
}


def _collect() -> list[str]:
    """Migration N: the store's part of it, then each domain's, in :data:`DOMAINS` order."""
    parts: dict[int, list[str]] = {}
    for migrations in [_CORE] + [d.migrations for d in DOMAINS]:
        for number, sql in migrations.items():
            parts.setdefault(number, []).append(sql)
    if sorted(parts) != list(range(1, len(parts) + 1)):
        raise RuntimeError(f"schema versions must run 1..N without gaps: {sorted(parts)}")
    return ["\n".join(parts[n]) for n in sorted(parts)]


MIGRATIONS: list[str] = _collect()

VERSION = len(MIGRATIONS)


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
         ) -> list[tuple[Any, ...]]:
    return con.execute(sql, params or []).fetchall()


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of an open database (0 for a new file)."""
    has_table = _run(con, "SELECT count(*) FROM information_schema.tables "
                          "WHERE table_name = 'schema_version'")[0][0]
    if not has_table:
        return 0
    return int(_run(con, "SELECT coalesce(max(version), 0) FROM schema_version")[0][0])


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the database to :data:`VERSION`, every missing migration in one transaction
    (all or none: each commit's fsync made a new store's first ingest pay ~0.07 s)."""
    _run(con, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied TIMESTAMP)")
    version = current_version(con)
    if version > VERSION:
        from ..exceptions import StoreError

        raise StoreError(
            f"the store's schema version {version} is newer than this jupyter-mlops "
            f"understands ({VERSION}). Upgrade jupyter-mlops."
        )
    if version == VERSION:
        return VERSION
    _run(con, "BEGIN TRANSACTION")
    try:
        for number in range(version + 1, VERSION + 1):
            _run(con, MIGRATIONS[number - 1])
            _run(con, "INSERT INTO schema_version VALUES (?, now())", [number])
        _run(con, "COMMIT")
    except BaseException:
        import duckdb

        with contextlib.suppress(duckdb.TransactionException):  # a failed COMMIT ended it
            _run(con, "ROLLBACK")
        raise
    return VERSION
