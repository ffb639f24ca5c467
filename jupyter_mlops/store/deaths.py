"""Runs whose writing process died (kill -9, a crash, a lost kernel): the ingest that finds
them closes them as ``died``, ended at their last event.

That close is an UPDATE of this store, which a team store never sees: the other machines
would show the run ``running`` for ever (they cannot judge a writer of another host). So a
store joined to a team also announces each death as a ``run_ended`` event (status ``died``,
at the run's last event), written to the spool before the UPDATE commits: shipped like any
event, and applied here too, where it changes nothing. A crash between the two leaves the
event, which closes the run at the next ingest; announcing twice applies once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .. import events as ev
from . import Store, db
from .spool import SpoolWriter, wrote_here
from .team_config import team_url

if TYPE_CHECKING:
    import duckdb

_DYING = "FROM runs WHERE status = 'running' AND writer IN (SELECT writer FROM _dead)"


def close_dead_runs(store: Store, con: duckdb.DuckDBPyConnection, dead_writers: list[str]
                    ) -> int:
    """Close the running runs of ``dead_writers`` (in ``con``'s open transaction); how many."""
    con.register("_dead", pd.DataFrame({"writer": dead_writers}, dtype=object))
    try:
        if team_url(store) is not None:
            _announce(store, db.run(con, "SELECT id, epoch_us(coalesce(last_event, started))"
                                         f" / 1e6, writer {_DYING}"))
        return int(db.scalar(con, f"UPDATE runs SET status = 'died', ended = last_event "
                                  f"WHERE id IN (SELECT id {_DYING})") or 0)
    finally:
        con.unregister("_dead")


def _announce(store: Store, dying: list[tuple[str, float, str]]) -> None:
    """Only the deaths of this store's own writers: a run pulled from the team whose writer
    ran on this host is judged here too (by its pid), but its own machine announces it, and
    may yet apply its real ``run_ended``, which a later announcement from here would
    overrule."""
    writers = {w for _, _, w in dying}
    own = {w for w in writers if wrote_here(store, w)}  # one look per writer, not per run
    events = [ev.Event(ev.RUN_ENDED, {"run_id": run, "status": "died"}, ts=ts)
              for run, ts, w in dying if w in own]
    if not events:
        return
    writer = SpoolWriter(store)
    try:
        writer.write(events)
    finally:
        writer.close()
