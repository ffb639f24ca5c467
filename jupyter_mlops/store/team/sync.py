"""One machine's link to the team store: a sync round ships the spool, then pulls.

Whoever runs it (the server's background loop, the scheduler daemon, ``jupyter mlops team
sync``; several at once are safe) keeps one :class:`TeamLink` and calls :meth:`sync`. With
PostgreSQL away a round raises ``TeamUnavailable``; the machine keeps working on its
own store, and the next round after PostgreSQL is back ships what waited.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from ...exceptions import StoreError
from .. import Store
from ..ingest import IngestResult, ingest
from ..state import pending
from . import schema, team_url
from .connection import connect, failures
from .listen import Listener, pause
from .pull import TeamSource
from .ship import ship

log = logging.getLogger("jupyter_mlops")


@dataclass
class SyncResult:
    shipped: int = 0
    pulled: int = 0  # events new to this machine's database (the team's and its own)
    cursor: int = 0  # the last team seq applied here


class TeamLink:
    """A connection kept between rounds (reopened after a failure)."""

    def __init__(self, store: Store, url: str | None = None) -> None:
        found = url or team_url(store)
        if found is None:
            raise StoreError("this store has no team store: set JUPYTER_MLOPS_TEAM_URL or run "
                             "`jupyter mlops team init URL`")
        self.store, self.url = store, found
        self._con: Any = None
        self._applied: int | None = None  # the cursor known to be in the database

    @property
    def con(self) -> Any:
        if self._con is None:
            con = connect(self.url)
            con.autocommit = True
            with failures(self.url):
                schema.check(con)
            self._con = con
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def sync(self) -> SyncResult:
        """Ship this machine's new events, then apply the team's new ones locally."""
        try:
            with failures(self.url):
                shipped = ship(self.store, self.con)
                source = TeamSource(self.con)
                latest = source.latest()
                if latest == self._applied and not pending(self.store):
                    return SyncResult(shipped, 0, latest)
                result: IngestResult = ingest(self.store, source=source)
        except BaseException:
            self.close()
            raise
        self._applied = source.position
        return SyncResult(shipped, result.events, source.position or 0)

    def __enter__(self) -> TeamLink:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def sync(store: Store) -> SyncResult:
    """One round on a fresh link (the CLI's ``team sync``)."""
    with TeamLink(store) as link:
        return link.sync()



class Syncer:
    """Sync rounds for a long-lived process (the server, the scheduler daemon): nothing when
    the store has no team store; an outage logged once, never raised, and retried every
    ``retry_s`` (so a PostgreSQL that does not answer does not slow the local ingest that
    follows each round)."""

    def __init__(self, store: Store, retry_s: float = 5.0) -> None:
        self.store, self.retry_s = store, retry_s
        self.last_error: str | None = None
        self.last: SyncResult | None = None
        self._link: TeamLink | None = None
        self._listener: Listener | None = None
        self._failed_at = -retry_s

    @property
    def active(self) -> bool:
        """Whether rounds talk to a team store (False until the first round finds one)."""
        return self._link is not None

    def wait(self, seconds: float) -> None:
        """The pause before the next round, cut short by news from the team or this
        machine's spool growing (:func:`.listen.pause`); never raises."""
        try:
            if self._listener is None and self._link is not None and self.last_error is None:
                self._listener = Listener(self._link.url)
            own = self._link._con if self._link is not None else None
            pause(self.store, seconds, self._listener,
                  None if own is None else own.info.backend_pid)
        except Exception:  # PostgreSQL went away: the next round says so, and retries
            self._close_listener()

    def round(self) -> SyncResult | None:
        if self.last_error is not None and time.monotonic() - self._failed_at < self.retry_s:
            return self.last
        try:
            if self._link is None:
                if team_url(self.store) is None:
                    return None
                self._link = TeamLink(self.store)
            self.last = self._link.sync()
            self.last_error = None
        except Exception as e:  # a long-lived loop must outlive anything a round meets
            text = str(e) if isinstance(e, StoreError) else f"{type(e).__name__}: {e}"
            if text != self.last_error:
                log.warning("jupyter-mlops: team store: %s", text)
            self.last_error, self._failed_at = text, time.monotonic()
        return self.last

    def _close_listener(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                self._listener.close()
            self._listener = None

    def close(self) -> None:
        self._close_listener()
        if self._link is not None:
            self._link.close()
