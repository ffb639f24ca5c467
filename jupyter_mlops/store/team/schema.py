"""The team store's PostgreSQL schema, numbered migrations as in the local store.

Everything lives in the PostgreSQL schema ``mlops``: ``events`` (one row per event, by id,
with a ``seq`` that only grows, in commit order: see :mod:`.ship`) and ``schema_version``.
``event_id`` compares bytewise (``COLLATE "C"``: a locale's rules cost the unique index
more per insert). ``shipped_by`` is PostgreSQL's ``session_user``; members get no privilege
on that column (docs/team.md), so no one can ship in another's name.
"""

from __future__ import annotations

from typing import Any

from ...exceptions import StoreError

MIGRATIONS: list[str] = [
    # 1
    """
    CREATE TABLE mlops.events (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id text COLLATE "C" NOT NULL UNIQUE,
        file text NOT NULL,
        body text NOT NULL,
        shipped_by name NOT NULL DEFAULT session_user,
        shipped_at timestamptz NOT NULL DEFAULT now());
    """,
]
VERSION = len(MIGRATIONS)
#: The advisory lock migrations run under (any 64-bit number of our own).
_MIGRATE_KEY = 0x6D6C6F70_73000001


def version(con: Any) -> int:
    """The team store's schema version (0: not initialised)."""
    row = con.execute("SELECT to_regclass('mlops.schema_version') IS NOT NULL").fetchone()
    if not row[0]:
        return 0
    return int(con.execute("SELECT coalesce(max(version), 0) FROM mlops.schema_version"
                           ).fetchone()[0])


def migrate(con: Any) -> int:
    """Bring the team store to :data:`VERSION` in one transaction (two machines migrating
    at once: the second waits, then finds nothing to do)."""
    with con.transaction():
        con.execute("SELECT pg_advisory_xact_lock(%s)", [_MIGRATE_KEY])
        con.execute("CREATE SCHEMA IF NOT EXISTS mlops")
        con.execute("CREATE TABLE IF NOT EXISTS mlops.schema_version "
                    "(version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())")
        current = version(con)
        for number in range(current + 1, VERSION + 1):
            con.execute(MIGRATIONS[number - 1])
            con.execute("INSERT INTO mlops.schema_version (version) VALUES (%s)", [number])
    return VERSION


def check(con: Any) -> None:
    """Refuse a team store that is not initialised, or written by a newer jupyter-mlops."""
    found = version(con)
    if found == 0:
        raise StoreError("the team store has no jupyter-mlops schema yet: run "
                         "`jupyter mlops team init`")
    if found < VERSION:
        raise StoreError(f"the team store's schema is version {found}, this jupyter-mlops "
                         f"needs {VERSION}: run `jupyter mlops team init` to migrate it")
    if found > VERSION:
        raise StoreError(f"the team store's schema version {found} is newer than this "
                         f"jupyter-mlops understands ({VERSION}): upgrade jupyter-mlops")
