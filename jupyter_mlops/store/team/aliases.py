"""Promotions in a team store: one alias chain however many people promote at once; and
one numbering of a model's versions however many people register at once.

Kernels do not otherwise talk to PostgreSQL; a promotion does, because its check ("what
does the alias point at now?") must see everyone's moves. The promoting process takes a
PostgreSQL advisory lock keyed on the model, pulls the team's events (so the alias it
reads is the team's latest), records its move, and ships it before it lets go: the next
promoter of that model, on any machine, then reads this move as the alias's previous value.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from ...exceptions import TeamUnavailable
from .. import Store
from . import team_url
from .connection import failures
from .sync import TeamLink

#: The first key of the two-key advisory locks promotions take (the second: the model).
ALIAS_LOCKS = 0x6D6C6F70

log = logging.getLogger(__name__)


@contextlib.contextmanager
def alias_lock(store: Store, model: str, *, offline: bool = False) -> Iterator[None]:
    """Hold ``model``'s lock across the team (nothing without a team store).

    Promotions refuse to run without the team (a fork of the alias chain could not be
    undone). ``offline``: registering a version goes on when the team store cannot be
    reached, numbering from this machine's versions (logged: the number may collide), and
    ships with the next sync.
    """
    url = team_url(store)
    if url is None:
        yield
        return
    with TeamLink(store, url) as link:
        try:
            with failures(url):
                link.con.execute("SELECT pg_advisory_lock(%s, hashtext(%s))",
                                 [ALIAS_LOCKS, model])
            link.sync()
            locked = True
        except TeamUnavailable as e:
            _away(e, offline, f"{model} is numbered from this machine's versions")
            locked = False
        yield
        if locked:
            try:  # ships the change while the lock is held; closing the link releases it
                link.sync()
            except TeamUnavailable as e:
                _away(e, offline, f"{model} ships with the next sync")


def _away(error: TeamUnavailable, offline: bool, then: str) -> None:
    """The team store is out of reach: an error, or (``offline``) a line in the log."""
    if not offline:
        raise error
    log.warning("jupyter-mlops: %s; %s", error, then)
