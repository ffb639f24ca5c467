"""No event is lost or duplicated: concurrent writers, kill -9 of writers and ingesters.

Acknowledged = the writer's ``append`` returned (the id is then in its ack file).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from jupyter_mlops.store import Store
from jupyter_mlops.store.ingest import FAULT_ENV, ingest
from tests.conftest import ROOT


def _spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.store.fault_workers", *args],
                            cwd=ROOT, env={**os.environ, **(env or {})}, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _acked(folder: Path) -> list[str]:
    return [i for f in folder.glob("ack-*") for i in f.read_text().split()]


def _applied(store: Store) -> list[str]:
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT event_id FROM metrics").fetchall()]


def _check_exactly_once(store: Store, tmp_path: Path) -> int:
    ingest(store)
    acked, applied = _acked(tmp_path), _applied(store)
    assert len(applied) == len(set(applied)), "an event was applied twice"
    missing = set(acked) - set(applied)
    assert not missing, f"{len(missing)} acknowledged events were lost"
    return len(acked)


def test_concurrent_writers_with_kills_lose_and_duplicate_nothing(store, tmp_path):
    reader = _spawn("reader", str(store.root), "25")
    ingester = _spawn("ingester", str(store.root), "25")
    writers = [_spawn("writer", str(store.root), str(tmp_path / f"ack-{i}"), "1000", "0.002")
               for i in range(8)]
    victim = _spawn("writer", str(store.root), str(tmp_path / "ack-victim"), "100000", "0.0005")
    victim_acks = tmp_path / "ack-victim"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
            not victim_acks.exists() or victim_acks.read_text().count("\n") < 200):
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)  # mid-stream
    # ingesters killed just before and just after their commit, while writers keep writing
    for point in ("before_commit", "after_commit", "before_commit", "after_commit"):
        killed = _spawn("ingester", str(store.root), "5", env={FAULT_ENV: point})
        assert killed.wait(timeout=120) == -signal.SIGKILL, killed.stderr.read()
    for w in writers:
        assert w.wait(timeout=300) == 0, w.stderr.read()
    for p in (reader, ingester):
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert int(out) > 0
    victim.wait()
    total = _check_exactly_once(store, tmp_path)
    assert total >= 8000 + 200  # all regular writers' events, and the victim's acked ones
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        statuses = dict(con.execute(
            "SELECT status, count(*) FROM runs GROUP BY status").fetchall())
    assert statuses == {"finished": 8, "died": 1}, statuses


@pytest.mark.slow
def test_readers_and_ingesters_interleave_for_a_minute(store, tmp_path):
    seconds = float(os.environ.get("JUPYTER_MLOPS_SOAK_SECONDS", "60"))
    loops = [_spawn(role, str(store.root), str(seconds))
             for role in ("reader", "reader", "ingester", "ingester")]
    writers = [_spawn("writer", str(store.root), str(tmp_path / f"ack-{i}"),
                      str(int(seconds * 200)), "0.004") for i in range(2)]
    for p in loops + writers:
        _, err = p.communicate(timeout=seconds * 4 + 120)
        assert p.returncode == 0, err
    assert _check_exactly_once(store, tmp_path) == 2 * int(seconds * 200)
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs WHERE status = 'finished'").fetchone()[0] == 2
