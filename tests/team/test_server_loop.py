"""The server extension's background loop ships and pulls: a kernel's event on one machine
reaches the other's read model, and an outage does not stop the loop."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from jupyter_mlops.store import Store
from jupyter_mlops.store.team.status import init

from .postgres import Postgres
from .scenario import machine, server_loop, wait_for
from .test_sync import event_ids, write_run


def test_the_server_loop_carries_events_across(tmp_path: Path, team_url: str,
                                               postgres: Postgres) -> None:
    init(Store.open(tmp_path / "a"), team_url)
    a, b = machine(tmp_path, "a", team_url), machine(tmp_path, "b", team_url)
    stop = threading.Event()
    loops = [server_loop(s, stop) for s in (a, b)]
    try:
        first = write_run(a, "1" * 32)
        wait_for(lambda: set(first) <= set(event_ids(b)), "a's run on b")
        postgres.stop()
        try:
            second = write_run(b, "2" * 32)
            wait_for(lambda: set(second) <= set(event_ids(b)), "b's own run, offline")
            time.sleep(2)  # rounds fail meanwhile
        finally:
            postgres.start()
        wait_for(lambda: set(second) <= set(event_ids(a)), "b's run on a, once back")
    finally:
        stop.set()
        for thread in loops:
            thread.join(30)
    assert sorted(event_ids(a)) == sorted(event_ids(b)) == sorted(first + second)
