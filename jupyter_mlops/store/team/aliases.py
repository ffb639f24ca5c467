"""Promotions in a team store: one alias chain however many people promote at once.

Kernels do not otherwise talk to PostgreSQL; a promotion does, because its check ("what
does the alias point at now?") must see everyone's moves. The promoting process takes a
PostgreSQL advisory lock keyed on the model, pulls the team's events (so the alias it
reads is the team's latest), records its move, and ships it before it lets go: the next
promoter of that model, on any machine, then reads this move as the alias's previous value.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .. import Store
from . import team_url
from .connection import failures
from .sync import TeamLink

#: The first key of the two-key advisory locks promotions take (the second: the model).
ALIAS_LOCKS = 0x6D6C6F70


@contextlib.contextmanager
def alias_lock(store: Store, model: str) -> Iterator[None]:
    """Hold ``model``'s alias lock across the team (nothing without a team store)."""
    url = team_url(store)
    if url is None:
        yield
        return
    with TeamLink(store, url) as link:
        with failures(url):
            link.con.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [ALIAS_LOCKS, model])
        link.sync()
        yield
        link.sync()  # ships the move while the lock is held; closing the link releases it
