"""Issue 14 item 3 through the server: on a full disk the background ingest reports one
line, reads answer from the last ingested state, and everything shows once space returns."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops import tracking
from jupyter_mlops.store import Store
from jupyter_mlops.store.spool import SpoolWriter
from tests.conftest import SmallDisk


@pytest.fixture
def store(recorded_store: Path, small_disk: SmallDisk,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A copy of the recorded store on the small disk."""
    root = small_disk.mount / "store"
    shutil.copytree(recorded_store, root)
    s = Store.open(root)
    t = tracking.Tracker(s)
    monkeypatch.setattr(tracking, "_tracker", t)
    yield s
    t.writer.close()


async def _until(check, seconds: float = 20) -> None:
    for _ in range(int(seconds * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


async def test_a_full_disk_leaves_the_last_state_readable(api, store, small_disk, jp_serverapp):
    await jp_serverapp.extension_manager.start_all_extensions()  # the background ingest
    code, body = await api("runs")
    before = [r["run_id"] for r in body["runs"]]
    SpoolWriter(store).write([ev.Event(ev.RUN_STARTED, {
        "run_id": "a" * 32, "experiment": "late", "kind": "interactive"})])
    small_disk.fill()

    async def refused() -> bool:
        return bool((await api("health"))[1]["last_ingest_error"])

    await _until(refused)
    error = (await api("health"))[1]["last_ingest_error"]
    assert error.startswith("the disk holding the store is full: "), error
    code, body = await api("runs")
    assert code == 200 and [r["run_id"] for r in body["runs"]] == before
    small_disk.free()

    async def caught_up() -> bool:
        return "a" * 32 in [r["run_id"] for r in (await api("runs"))[1]["runs"]]

    await _until(caught_up)
    assert (await api("health"))[1]["last_ingest_error"] is None
