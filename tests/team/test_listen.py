"""The server loop's pause with a team store: it ends when another machine ships (LISTEN/
NOTIFY) or this machine's spool grows, and lasts its full length otherwise (no spin)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from jupyter_mlops.store import Store
from jupyter_mlops.store.team.status import init
from jupyter_mlops.store.team.sync import Syncer, TeamLink

from .scenario import machine
from .test_sync import write_run

LONG = 120.0  # a pause that no test waits out


def _joined(tmp_path: Path, url: str) -> tuple[Store, Store, Syncer]:
    init(Store.open(tmp_path / "a"), url)
    a, b = machine(tmp_path, "a", url), machine(tmp_path, "b", url)
    syncer = Syncer(b)
    syncer.round()
    assert syncer.active
    return a, b, syncer


def _paused(syncer: Syncer, seconds: float, meanwhile: threading.Thread) -> float:
    started = time.monotonic()
    meanwhile.start()
    syncer.wait(seconds)
    took = time.monotonic() - started
    meanwhile.join(60)
    return took


def test_the_pause_ends_when_another_machine_ships(tmp_path: Path, team_url: str) -> None:
    a, _, syncer = _joined(tmp_path, team_url)
    write_run(a, "1" * 32)

    def ship_from_a() -> None:
        time.sleep(0.5)
        with TeamLink(a) as link:
            assert link.sync().shipped == 5

    try:
        assert _paused(syncer, LONG, threading.Thread(target=ship_from_a)) < LONG / 2
    finally:
        syncer.close()


def test_the_pause_ends_when_the_spool_grows(tmp_path: Path, team_url: str) -> None:
    _, b, syncer = _joined(tmp_path, team_url)
    kernel = threading.Thread(target=lambda: (time.sleep(0.5), write_run(b, "2" * 32)))
    try:
        assert _paused(syncer, LONG, kernel) < LONG / 2
    finally:
        syncer.close()


def test_without_news_the_pause_lasts(tmp_path: Path, team_url: str) -> None:
    _, _, syncer = _joined(tmp_path, team_url)
    try:
        assert _paused(syncer, 1.5, threading.Thread(target=lambda: None)) >= 1.5
    finally:
        syncer.close()
