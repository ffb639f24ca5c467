"""How this machine stands with the team store: what ``jupyter mlops team status`` shows."""

from __future__ import annotations

from typing import Any

from ...exceptions import StoreError
from .. import Store, consumers, db
from ..spool import spool_files
from . import SHIPPER, redact, schema, team_url
from .connection import connect, failures
from .pull import TeamSource


def unshipped_bytes(store: Store) -> int:
    """Spool bytes the shipper has not sent yet (all of them before its first round)."""
    done = (consumers.offsets(store, SHIPPER) if SHIPPER in consumers.registered(store)
            else {})
    total = 0
    for path in spool_files(store):
        try:
            total += max(path.stat().st_size - done.get(path.name, 0), 0)
        except FileNotFoundError:
            continue
    return total


def applied_cursor(store: Store) -> int:
    """The last team ``seq`` applied to this machine's database."""
    with db.connect(store, write=False, threads=1) as con:
        found = db.scalar(con, 'SELECT max("offset") FROM spool_files WHERE file = ?',
                          [TeamSource.cursor])
    return int(found or 0)


def status(store: Store) -> dict[str, Any]:
    """The URL (password hidden), whether PostgreSQL answers, its schema version and newest
    ``seq``, this machine's cursor and unshipped bytes. Never raises for an outage."""
    url = team_url(store)
    if url is None:
        raise StoreError("this store has no team store: set JUPYTER_MLOPS_TEAM_URL or run "
                         "`jupyter mlops team init URL`")
    out: dict[str, Any] = {"url": redact(url), "reachable": False, "error": None,
                           "schema_version": None, "team_seq": None,
                           "applied_seq": applied_cursor(store),
                           "unshipped_bytes": unshipped_bytes(store)}
    try:
        with connect(url) as con, failures(url):
            out["schema_version"] = schema.version(con)
            out["reachable"] = True
            if out["schema_version"]:
                out["team_seq"] = TeamSource(con).latest()
    except StoreError as e:
        out["error"] = str(e)
    return out


def init(store: Store, url: str | None) -> int:
    """Create or migrate the team store's schema, and remember ``url`` in ``team.toml``
    (without a password). Returns the schema version."""
    if url is not None:
        from . import save_url

        save_url(store, url)
    found = url or team_url(store)
    if found is None:
        raise StoreError("give the team store's URL: jupyter mlops team init "
                         "postgresql://USER@HOST/DB (or set JUPYTER_MLOPS_TEAM_URL)")
    with connect(found) as con, failures(found):
        con.autocommit = True
        return schema.migrate(con)


def leave(store: Store) -> None:
    """Forget the team store: without this, the shipper's offsets would hold every spool
    file in ``spool/`` for a shipper that no longer runs."""
    from . import config_path

    config_path(store).unlink(missing_ok=True)
    consumers.unregister(store, SHIPPER)
