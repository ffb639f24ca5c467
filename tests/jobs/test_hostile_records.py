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
