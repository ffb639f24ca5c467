"""Pulling: the team's events past this machine's cursor, for ingest to apply.

The cursor (the last ``seq`` applied) is kept in the local database with the events it
brought, in the same transaction (ingest's ``spool_files`` table, under a name that is no
file's), so a puller killed at any moment neither skips nor repeats anything. Each event
keeps the name of the spool file it was written to, so its run's writer is the same on
every machine. This machine's own events come back too: ingest drops them by id.
"""

from __future__ import annotations

from typing import Any

#: Events fetched per transaction.
BATCH_EVENTS = 50_000


class TeamSource:
    """What ingest pulls from (see :class:`..ingest.Source`)."""

    #: The ``spool_files`` row holding the cursor (spool files end in ``.jsonl``).
    cursor = "@team"

    def __init__(self, con: Any, limit: int = BATCH_EVENTS) -> None:
        self.con, self.limit = con, limit
        #: The cursor after the last fetch (what the database holds once it commits).
        self.position: int | None = None

    def fetch(self, after: int) -> tuple[dict[str, bytes], int, bool]:
        """Events after ``after`` grouped by spool file, the new cursor, and whether more wait."""
        rows = self.con.execute("SELECT seq, file, body FROM mlops.events WHERE seq > %s "
                                "ORDER BY seq LIMIT %s", [after, self.limit]).fetchall()
        grouped: dict[str, list[str]] = {}
        for _, file, body in rows:
            grouped.setdefault(file, []).append(body)
        position = rows[-1][0] if rows else after
        self.position = position
        return ({f: ("\n".join(b) + "\n").encode() for f, b in grouped.items()}, position,
                len(rows) == self.limit)

    def latest(self) -> int:
        """The team's newest ``seq`` (0 when empty)."""
        return int(self.con.execute("SELECT coalesce(max(seq), 0) FROM mlops.events"
                                    ).fetchone()[0])
