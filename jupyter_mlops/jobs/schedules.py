"""Schedules: a name, a notebook, a cron expression, parameters and a misfire policy.

Stored as events like everything else, so the sidebar and the CLI see the same schedules
and a change made anywhere reaches the daemon at its next tick. Each event carries the
whole new state of its schedule; the latest one per name wins.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .. import events as ev
from ..exceptions import JobError
from ..store import Store, queries
from ..store.ingest import ingest
from ..store.lock import hold
from ..tracking import tracker
from ..tracking.decisions import record_now
from .params import check_against, check_values
from .runner import parse_duration
from .spec import JobResult, JobSpec

#: What to do with fire times missed while no daemon ran (or it was busy): run none of
#: them, run one now for all of them, or run each.
MISFIRE = ("skip", "once", "all")
#: A fire time this much older than now counts as missed (seconds).
GRACE_S = 60.0
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_FIELDS = ("minute", "hour", "day", "month", "day_of_week")


def trigger_for(cron: str, tz: str | None = None) -> Any:
    """An APScheduler cron trigger from 5 fields (minute hour day month weekday), or 6 with
    seconds first (``*/5 * * * * *``: every 5 s); a clear error for anything else."""
    from apscheduler.triggers.cron import CronTrigger

    fields = cron.split()
    names = ("second", *_FIELDS) if len(fields) == 6 else _FIELDS
    if len(fields) not in (5, 6):
        raise JobError(f"cron {cron!r} needs 5 fields (minute hour day month weekday), "
                       f"or 6 with seconds first")
    try:
        return CronTrigger(**dict(zip(names, fields, strict=True)), timezone=tz or "UTC")
    except (ValueError, LookupError, TypeError) as e:
        raise JobError(f"cron {cron!r} is not valid: {e}") from None


def fire_times(state: dict[str, Any], after: float, until: float,
               limit: int = 1000) -> list[float]:
    """The schedule's fire times in (after, until], at most ``limit`` of the latest."""
    trigger = trigger_for(state["cron"], state.get("timezone"))
    found: list[float] = []
    moment = datetime.fromtimestamp(after, timezone.utc) + timedelta(microseconds=1)
    while (next_fire := trigger.get_next_fire_time(None, moment)) is not None:
        stamp = next_fire.timestamp()
        if stamp > until:
            break
        found.append(stamp)
        moment = next_fire + timedelta(microseconds=1)
    return found[-limit:]


def next_fire(state: dict[str, Any], after: float | None = None) -> float | None:
    """When the schedule fires next (None when paused, or when the cron it has on record is
    not one: the daemon logs that schedule as skipped)."""
    if state.get("paused"):
        return None
    moment = datetime.fromtimestamp(after or time.time(), timezone.utc)
    try:
        trigger = trigger_for(state["cron"], state.get("timezone"))
    except JobError:
        return None
    found = trigger.get_next_fire_time(None, moment)
    return None if found is None else found.timestamp()


def due(state: dict[str, Any], last: float, now: float, grace: float = GRACE_S) -> list[float]:
    """The fire times to run now, by the schedule's misfire policy."""
    times = fire_times(state, last, now)
    on_time = [t for t in times if now - t <= grace]
    missed = [t for t in times if now - t > grace]
    if state.get("misfire") == "all":
        return missed + on_time
    if state.get("misfire", "once") == "once" and missed and not on_time:
        return [missed[-1]]
    return on_time


def current(store: Store) -> dict[str, dict[str, Any]]:
    """Every schedule's state by name."""
    return {row.name: row.state for row in queries.schedules(store).itertuples()}


def _change(name: str, change: Any, store: Store | None = None) -> dict[str, Any]:
    """Apply ``change(state or None) -> new state`` under the store's exclusive lock."""
    store = store or tracker().store
    store.ensure()
    with hold(store, exclusive=True):
        ingest(store)
        new = change(current(store).get(name))
        record_now(store, ev.Event(ev.SCHEDULE, {"name": name, "state": new,
                                                 "removed": new is None}))
    return new


def _known(name: str, state: dict[str, Any] | None) -> dict[str, Any]:
    if state is None:
        raise JobError(f"no schedule named {name!r}. `jupyter mlops schedule list` lists them.")
    return state


def add(notebook: str, cron: str, *, name: str | None = None,
        params: dict[str, Any] | None = None, misfire: str = "once",
        timeout: str | float | None = None, experiment: str | None = None,
        tz: str | None = None, replace: bool = False) -> dict[str, Any]:
    """Create (or with ``replace`` update) a schedule; everything is checked now, not at
    the first fire time."""
    import papermill

    path = Path(notebook).expanduser().resolve()
    if not path.is_file():
        raise JobError(f"no notebook at {path}")
    name = name or path.stem
    if not _NAME.match(name):
        raise JobError(f"schedule name {name!r}: use letters, digits, '.', '_' or '-'")
    if misfire not in MISFIRE:
        raise JobError(f"misfire policy {misfire!r}: use one of {', '.join(MISFIRE)}")
    trigger_for(cron, tz)
    params = check_values(params or {})
    check_against(str(path), papermill.inspect_notebook(str(path)), params)
    state = {"notebook": str(path), "cron": cron, "params": params, "misfire": misfire,
             "timeout_s": parse_duration(timeout), "experiment": experiment, "timezone": tz,
             "paused": False, "since": time.time()}

    def change(old: dict[str, Any] | None) -> dict[str, Any]:
        if old is not None and not replace:
            raise JobError(f"a schedule named {name!r} exists: remove it first or replace it "
                           f"(--replace)")
        return state

    return _change(name, change)


def pause(name: str, *, store: Store | None = None) -> dict[str, Any]:
    return _change(name, lambda old: {**_known(name, old), "paused": True}, store)


def resume(name: str, *, store: Store | None = None) -> dict[str, Any]:
    """Resume from now: fire times that fell in the pause are not misfires."""
    return _change(name, lambda old: {**_known(name, old), "paused": False,
                                      "since": time.time()}, store)


def remove(name: str) -> None:
    def change(old: dict[str, Any] | None) -> None:
        _known(name, old)

    _change(name, change)


def request(name: str, params: dict[str, Any] | None = None, *,
            store: Store | None = None) -> str:
    """Ask the scheduler daemon to run schedule ``name`` now; returns the request id."""
    store = store or tracker().store
    _known(name, current(store).get(name))
    event = ev.Event(ev.JOB_REQUESTED, {"schedule": name, "params": check_values(params or {}),
                                         "parent_run": tracker().run_id})
    record_now(store, event)
    return event.id


def spec_for(name: str, state: dict[str, Any], params: dict[str, Any] | None = None,
             **context: Any) -> JobSpec:
    """A job of schedule ``name`` (its state as stored), ``params`` over its own."""
    from .runner import prepare

    return prepare(state["notebook"], {**state.get("params", {}), **(params or {})},
                   timeout=state.get("timeout_s"), experiment=state.get("experiment"),
                   schedule=name, **context)


def run_here(name: str, params: dict[str, Any] | None = None, *, store: Store | None = None,
             progress: bool = False) -> JobResult:
    """Run schedule ``name`` now in this process and wait (no scheduler involved); the job
    runs on ``store`` (default: the process's), where the schedule is read."""
    from .runner import execute

    store = store or tracker().store
    state = _known(name, current(store).get(name))
    return execute(spec_for(name, state, params, store=store, progress=progress,
                            trigger="run_now"))


def listing(store: Store) -> Any:
    """Every schedule, one row each (a DataFrame): its recorded settings as columns, its
    last fire time and job, and ``next_run`` (tz-aware UTC; NaT when paused or unreadable).
    What ``jupyter mlops schedule list`` and ``GET schedules`` show."""
    import pandas as pd

    frame = queries.schedules(store)
    states = list(frame.pop("state")) if "state" in frame else []  # no store yet: no columns
    settings = pd.DataFrame(states, index=frame.index)
    frame = frame.join(settings[[c for c in settings if c not in frame]])
    frame["next_run"] = pd.to_datetime([next_fire(s) for s in states], unit="s", utc=True)
    return frame
