"""Waking a long-lived loop when there is work: the team's news or this machine's own.

A server's loop used to sleep its interval between sync rounds, so an event waited for a
ship round on its machine and a pull round on the other, each up to an interval away
(measured p95 10 s). Now the pause ends as soon as another machine's shipper commits
(``LISTEN`` on :data:`~.ship.CHANNEL`: every shipping commit that adds events notifies it)
or this machine's spool grows (a kernel recorded something), after a short floor so a
kernel writing without pause does not turn the loop into a spin.
"""

from __future__ import annotations

import time
from typing import Any

from .. import Store
from ..state import spool_bytes
from .connection import connect
from .ship import CHANNEL

#: The least pause between two rounds (seconds), whatever wakes the loop.
FLOOR_S = 0.2
#: How often the spool's size is looked at while waiting (seconds).
POLL_S = 0.05


class Listener:
    """A connection of its own that LISTENs for shipping commits; ``ignore`` is the backend
    pid of this machine's own shipping connection (its notifications are no news here)."""

    def __init__(self, url: str) -> None:
        self.con: Any = connect(url)
        self.con.autocommit = True
        self.con.execute(f"LISTEN {CHANNEL}")

    def heard(self, seconds: float, ignore: int | None) -> bool:
        """Whether another machine shipped within ``seconds``."""
        for notify in self.con.notifies(timeout=seconds, stop_after=1):
            if notify.pid != ignore:
                return True
        return False

    def close(self) -> None:
        self.con.close()


def pause(store: Store, seconds: float, listener: Listener | None,
          ignore: int | None = None) -> None:
    """Up to ``seconds``, ended early (after :data:`FLOOR_S`) by news from the team or a
    grown spool. A failing listener raises PostgreSQL's error: the caller drops it."""
    start = time.monotonic()
    size = spool_bytes(store)  # grows with every event a process of this machine records
    news = False
    while (left := seconds - (time.monotonic() - start)) > 0:
        slice_s = min(left, POLL_S)
        if listener is not None:
            news = listener.heard(slice_s, ignore) or news
        else:
            time.sleep(slice_s)
        news = news or spool_bytes(store) != size
        if news and time.monotonic() - start >= FLOOR_S:
            return

