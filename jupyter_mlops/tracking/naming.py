"""Run names: the one a run gets when it starts, and ``mlops.set_run_name``.

A new run's name is made distinct from the names of its experiment's recent runs as the
recent-runs projection lists them: a small file read once per run, never the database (a
kernel does not wait on DuckDB). The projection may be a little behind; a rare clash with a
run it does not show yet only makes that name ambiguous, which references report.
"""

from __future__ import annotations

import json

from .. import events as ev
from ..exceptions import BadRunName
from ..store import Store, names


def recent_names(store: Store, experiment: str | None) -> set[str]:
    """The names of ``experiment``'s runs in the recent-runs projection (none if unreadable)."""
    try:
        cached = json.loads(store.recent_runs_path.read_text())
        at = {c: i for i, c in enumerate(cached["columns"])}
        return {row[at["name"]] for row in cached["rows"]
                if row[at["experiment"]] == experiment}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return set()


#: The names this process gave, by experiment: runs it started since the last ingest are not
#: in the projection yet (a sweep starts many in one cell).
_given: dict[str | None, set[str]] = {}


def new_name(store: Store, run_id: str, experiment: str | None, notebook: str | None) -> str:
    """The name a run starting now gets (see :func:`.store.names.derive`)."""
    given = _given.setdefault(experiment, set())
    name = names.distinct(run_id, notebook, recent_names(store, experiment) | given)
    given.add(name)
    return name


def set_run_name(name: str, run: str | None = None) -> str:
    """Rename a run (default: the active one) so people can tell it apart; returns its full
    id. The name is shown wherever the run is, and accepted wherever a run id is."""
    from . import tracker

    why = names.problem(name)
    if why is not None:
        raise BadRunName(f"{why}: give e.g. `mlops.set_run_name(\"baseline\")`.")
    t = tracker()
    if run is None:
        run_id = t.ensure_run()
    else:
        from ..store.queries import run_id_of

        run_id = run_id_of(t.store, run)
    t.emit(ev.RUN_RENAMED, {"run_id": run_id, "name": name.strip()})
    return run_id

