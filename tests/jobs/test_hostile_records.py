"""Job records as a hostile or older writer leaves them: readers answer, never crash."""

from __future__ import annotations

import json

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store, queries
from jupyter_mlops.store.spool import SpoolWriter
from tests.conftest import cli


def append(store: Store, *events: ev.Event) -> None:
    """Write events straight into the store's spool, as any process that can write there."""
    writer = SpoolWriter(store)
    writer.write(events)
    writer.close()


def test_jobs_with_null_missing_or_odd_params_are_listed(store):
    ids = [ev.new_id() for _ in range(4)]
    append(store, ev.Event(ev.JOB_STARTED, {"run_id": ids[0], "params": None}),
           ev.Event(ev.JOB_STARTED, {"run_id": ids[1]}),
           ev.Event(ev.JOB_STARTED, {"run_id": ids[2], "params": [1, 2]}),
           ev.Event(ev.JOB_STARTED, {"run_id": ids[3], "params": {"a": 1},
                                     "notebook": "/x/a.ipynb"}))
    frame = queries.jobs(store)
    assert dict(zip(frame.run_id, frame.params, strict=True)) == {
        ids[0]: None, ids[1]: None, ids[2]: None, ids[3]: {"a": 1}}
    table = cli("jobs")
    assert table.returncode == 0, table.stderr
    assert "a.ipynb" in table.stdout and ids[0][:12] in table.stdout
    listed = cli("jobs", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {j["run_id"]: j["params"] for j in json.loads(listed.stdout)}[ids[1]] is None


def test_schedules_without_a_usable_state_are_skipped(store, notebook):
    from jupyter_mlops.jobs.scheduler import Scheduler

    nb = notebook("ok.ipynb", "x = alpha")
    assert cli("schedule", "add", str(nb), "--cron", "0 6 * * *", "--name", "ok").returncode == 0
    append(store, ev.Event(ev.SCHEDULE, {"name": "null", "state": None}),
           ev.Event(ev.SCHEDULE, {"name": "empty", "state": {}}),
           ev.Event(ev.SCHEDULE, {"name": "odd", "state": {"notebook": str(nb),
                                                           "cron": "every day"}}),
           ev.Event(ev.JOB_REQUESTED, {"schedule": "ok", "params": None}))
    listed = cli("schedule", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {s["name"]: s["next_run"] is None for s in json.loads(listed.stdout)} == {
        "odd": True, "ok": False}
    scheduler = Scheduler(store)
    try:
        (started,) = scheduler.tick()  # the request; the odd schedule is logged and skipped
        assert started.schedule == "ok" and started.trigger == "request" and started.params == {}
    finally:
        scheduler.shutdown()
