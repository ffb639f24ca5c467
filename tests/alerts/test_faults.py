"""The fault scenario of issue 18: the receiver is down for a while, the scheduler daemon is
killed -9 while it delivers, a successor takes over; every message arrives once the
receiver is back, and any repeat carries the same dedup key."""

from __future__ import annotations

from typing import Any

from jupyter_mlops import events as ev
from jupyter_mlops.alerts import history
from jupyter_mlops.store import Store

from .conftest import Events
from .receivers import configure, daemon, free_port, hook, wait_for

MESSAGES = 30


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
