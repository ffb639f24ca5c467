"""The fault scenario of issue 18: the receiver is down for a while, the scheduler daemon is
killed -9 while it delivers, a successor takes over; every message arrives once the
receiver is back, and any repeat carries the same dedup key."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from jupyter_mlops import events as ev
from jupyter_mlops.alerts import config, history
from jupyter_mlops.store import Store

from .conftest import Events
from .receivers import hook

MESSAGES = 30


def daemon(store: Store) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "jupyter_mlops.cli", "--store",
                             str(store.root), "scheduler", "--tick", "0.2",
                             "--shutdown-grace", "1"], stderr=subprocess.DEVNULL)


def wait_for(predicate: Callable[[], Any], timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := predicate():
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configure(store: Store, port: int) -> None:
    """A webhook on ``port``, a rule on users' alerts, short leases and back-offs."""
    config.add_channel(store, "ops", {"type": "webhook",
                                      "url": f"http://127.0.0.1:{port}/hook"})
    config.add_rule(store, "mine", {"on": ["user"], "channels": ["ops"]})
    settings = config.load(store)
    settings.settings.update(backoff_s=0.2, max_backoff_s=1.0, lease_s=3.0, timeout_s=2.0)
    config.save(store, settings)


def test_receiver_down_and_daemon_killed_lose_nothing(store: Store, events: Events) -> None:
    port = free_port()
    configure(store, port)
    first = daemon(store)
    try:
        for i in range(MESSAGES):
            events.write(ev.ALERT, {"title": f"alert {i}", "severity": "error"})
        # the receiver is down: every message is tried and waits for its retry
        wait_for(lambda: set(history(store, limit=100).state) == {"retry"}
                 and len(history(store, limit=100)) == MESSAGES)
        with hook(port=port, delay_s=0.5) as h:  # back, slowly: deliveries are in flight
            wait_for(lambda: len(h.requests) >= 3)
            first.kill()  # SIGKILL, mid-delivery
            first.wait()
            got_before = len(h.requests)
            second = daemon(store)
            try:
                wait_for(lambda: len(set(h.keys())) >= MESSAGES)
            finally:
                second.terminate()
                second.wait(30)
            keys = h.keys()
            print(f'{len(keys) - len(set(keys))} repeats')
            titles = {r["headers"]["x-mlops-dedup-key"]: r["body"]["title"] for r in h.requests}
    finally:
        if first.poll() is None:
            first.kill()
    assert got_before < MESSAGES  # the kill came before all were sent
    assert sorted(titles.values()) == sorted(f"alert {i}" for i in range(MESSAGES))
    bodies: dict[str, list[Any]] = {}
    for r in h.requests:
        bodies.setdefault(r["headers"]["x-mlops-dedup-key"], []).append(r["body"])
    for same in bodies.values():  # a repeat is the same message: same key, same content
        assert all(body == same[0] for body in same)
    final = history(store, limit=100)
    assert len(final) == MESSAGES and set(final.key) == set(keys)
    assert set(final.state) == {"delivered"}
