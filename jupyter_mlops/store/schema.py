"""The DuckDB schema as numbered migrations, applied in order by ingest.

Each domain declares its part of each migration (:mod:`.domains`). A migration is never
edited once released: add a new one. The version reached is stored in
``schema_version``. No primary keys: ingest deduplicates by event id itself, and DuckDB's
index checks on UPDATE are stricter than this append-mostly workload needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .db import run, scalar
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


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of an open database (0 for a new file)."""
    has_table = scalar(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'")
    if not has_table:
        return 0
    return int(scalar(con, "SELECT coalesce(max(version), 0) FROM schema_version"))


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the database to :data:`VERSION`, each migration in its own transaction."""
    run(con, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied TIMESTAMP)")
    version = current_version(con)
    if version > VERSION:
        from ..exceptions import StoreError

        raise StoreError(
            f"the store's schema version {version} is newer than this jupyter-mlops "
            f"understands ({VERSION}). Upgrade jupyter-mlops."
        )
    for number in range(version + 1, VERSION + 1):
        run(con, "BEGIN TRANSACTION")
        run(con, MIGRATIONS[number - 1])
        run(con, "INSERT INTO schema_version VALUES (?, now())", [number])
        run(con, "COMMIT")
    return VERSION
