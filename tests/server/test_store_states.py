"""Issue 14 item 14 through the server: a store with nothing in it yet is no outage (200,
empty); a store that cannot be read is (503); a kernel's first events show at the first read."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store
from jupyter_mlops.store.spool import SpoolWriter


@pytest.fixture
def jp_server_config(store: Store) -> dict[str, Any]:
    """No background ingest to speak of: what a read does on its own is what is tested."""
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlops": True}},
            "MLOpsApp": {"store": str(store.root), "ingest_interval": 3600}}


async def test_a_fresh_install_answers_empty_lists(api, store):
    shutil.rmtree(store.root)
    for path, key in (("runs", "runs"), ("experiments", "experiments"), ("models", "models"),
                      ("jobs", "jobs"), ("drift/reports", "reports")):
        code, body = await api(path)
        assert code == 200 and body[key] == [], (path, code, body)
    code, body = await api("runs", "ffffffffff")
    assert code == 404, body
    assert not store.root.exists()


async def test_the_first_read_shows_a_kernels_first_events(api, store):
    shutil.rmtree(store.root)
    assert (await api("runs"))[1]["runs"] == []
    SpoolWriter(Store.open(store.root)).write([ev.Event(ev.RUN_STARTED, {
        "run_id": "a" * 32, "experiment": "first", "kind": "interactive"})])
    code, body = await api("runs")
    assert code == 200 and [r["run_id"] for r in body["runs"]] == ["a" * 32], body


async def test_a_store_that_cannot_be_read_is_503_with_the_reason(api, store):
    store.db_path.write_bytes(b"not a database" * 1000)
    code, body = await api("experiments")
    assert code == 503 and body["error"] == "store unavailable"
    assert f"cannot open {store.db_path}" in body["detail"]
