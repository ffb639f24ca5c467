"""The extension's seams: its classes are configurable, and it hands its store to what it
records and to the kernels it starts explicitly, not through this process's environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlops import registry, tracking
from jupyter_mlops.config import HOME_ENV
from jupyter_mlops.server.service import Service
from jupyter_mlops.store import Store


class CountingService(Service):
    """A deployment's own service: counts promotions."""

    promotions = 0

    def promote(self, *args: Any) -> Any:
        CountingService.promotions += 1
        return super().promote(*args)


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This process's environment names another store, and its tracker follows it."""
    other = tmp_path / "elsewhere"
    monkeypatch.setenv(HOME_ENV, str(other))
    monkeypatch.setattr(tracking, "_tracker", None)
    return other


@pytest.fixture
def jp_server_config(store: Store, elsewhere: Path) -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"jupyter_mlops": True}},
            "MLOpsApp": {"store": str(store.root), "ingest_interval": 0.2,
                         "service_class": "tests.server.test_app.CountingService"}}


async def test_the_service_class_is_configurable(api, jp_serverapp):
    assert type(jp_serverapp.web_app.settings["jupyter_mlops"]) is CountingService


async def test_promotions_record_into_the_served_store_whatever_the_environment_says(
        api, store, elsewhere):
    code, body = await api("models", "churn", "aliases", method="POST", body={"version": 1})
    assert (code, body["aliases"]) == (200, ["champion"])
    assert CountingService.promotions >= 1
    assert registry.resolve(store, "churn@champion").version == 1
    assert os.environ[HOME_ENV] == str(elsewhere)  # the server did not move it
    assert not (elsewhere / "spool").exists() or not any((elsewhere / "spool").iterdir())


async def test_kernels_started_for_notebooks_record_into_the_served_store(
        jp_serverapp, store, elsewhere):
    env = jp_serverapp.session_manager.get_kernel_env("work/train.ipynb")
    assert env[HOME_ENV] == str(store.root)
    assert env["JPY_SESSION_NAME"].endswith("train.ipynb")
    assert os.environ[HOME_ENV] == str(elsewhere)


async def test_the_background_ingest_tells_subscribers_what_it_applied(jp_serverapp, store):
    """The seam alerts build on: a subscriber in the server's process hears of every event
    the server's own ingest applied, after the commit."""
    import asyncio

    from jupyter_mlops.store.subscribers import subscribe

    await jp_serverapp.extension_manager.start_all_extensions()  # the background ingest
    heard: list[tuple[str, str]] = []
    unsubscribe = subscribe(lambda _store, events: heard.extend(
        (e.type, e.payload.get("run_id", "")) for e in events))
    try:
        writer = tracking.Tracker(store)  # a kernel's writer: appends, never ingests
        run_id = writer.start_run("heard")
        writer.log_params({"alpha": 0.1})
        writer.writer.flush()
        for _ in range(100):
            if ("params", run_id) in heard:
                break
            await asyncio.sleep(0.1)
        assert ("run_started", run_id) in heard and ("params", run_id) in heard
    finally:
        unsubscribe()
