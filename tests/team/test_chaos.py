"""Four machines × 8 writers; shippers and pullers killed (-9) at random; PostgreSQL
restarted mid-run, then away for a while. After: every machine has every event exactly once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from jupyter_mlops.store import Store, db
from jupyter_mlops.store.team.status import init
from jupyter_mlops.store.team.sync import TeamLink

from .postgres import Postgres
from .test_sync import machine

ROOT = Path(__file__).resolve().parents[2]
MACHINES, WRITERS, EVENTS = 4, 8, 200


def log_of(store: Store, kind: str) -> Path:
    return store.root.parent / f"{store.root.name}.{kind}.log"


def spawn(kind: str, store: Store, *args: str) -> subprocess.Popen[bytes]:
    """A process of tests/team/chaos.py; what it prints goes to its machine's log."""
    with open(log_of(store, kind), "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "tests.team.chaos", kind,
                                 str(store.root), *args], cwd=ROOT, stdout=log, stderr=log)


def rounds(store: Store) -> int:
    """How many sync rounds the machine's syncers have finished (one line each)."""
    return log_of(store, "sync").read_bytes().count(b"\n")


def written(store: Store) -> list[str]:
    """Every event id in the machine's spool and archive: what was recorded there."""
    ids = []
    for folder in (store.spool_dir, store.archive_dir):
        for path in folder.glob("*.jsonl"):
            ids += [json.loads(line)["id"] for line in path.read_bytes().splitlines() if line]
    return ids


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.1)


def test_nothing_lost_nothing_duplicated(tmp_path: Path, team_url: str,
                                         postgres: Postgres) -> None:
    rng, started = random.Random(19), time.monotonic()
    init(Store.open(tmp_path / "m0"), team_url)
    stores = [machine(tmp_path, f"m{i}", team_url) for i in range(MACHINES)]
    syncers = {i: spawn("sync", s) for i, s in enumerate(stores)}
    born = dict.fromkeys(syncers, 0)  # rounds done before the machine's syncer started
    wait_for(lambda: all(rounds(s) for s in stores), "the syncers to start")
    writers = [spawn("write", s, f"{i:02d}{w:02d}".ljust(32, "0"), str(EVENTS))
               for i, s in enumerate(stores) for w in range(WRITERS)]
    wait_for(lambda: sum(len(list(s.spool_dir.glob("*.jsonl"))) for s in stores)
             >= MACHINES * WRITERS, "the writers to start")
    kills, writing = 0, []
    try:
        while any(w.poll() is None for w in writers) or len(writing) < 2:
            time.sleep(rng.uniform(0.3, 1.0))
            # a shipper/puller killed mid-whatever, once it has started working
            working = [i for i, n in born.items() if rounds(stores[i]) > n]
            if working:
                victim = rng.choice(working)
                syncers[victim].send_signal(signal.SIGKILL)
                syncers[victim].wait()
                born[victim] = rounds(stores[victim])
                syncers[victim] = spawn("sync", stores[victim])
                kills += 1
            if kills == 1 and not writing:
                writing.append(sum(w.poll() is None for w in writers))
                postgres.restart()  # a crash and restart, mid-run
            elif kills == 3 and len(writing) == 1:
                writing.append(sum(w.poll() is None for w in writers))
                postgres.stop()  # the network to it cut for a while
                time.sleep(3)
                postgres.start()
            assert time.monotonic() - started < 240, "the writers did not finish"
    finally:
        for p in [*syncers.values(), *writers]:
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
            p.wait()
    assert all(w.returncode == 0 for w in writers)
    assert kills >= 3 and min(writing) > 0  # PostgreSQL went away while events came
    truth = [i for s in stores for i in written(s)]
    assert len(truth) == len(set(truth)) == MACHINES * WRITERS * (EVENTS + 2)
    with psycopg.connect(team_url) as con:  # the killed shippers did ship
        assert con.execute("SELECT count(*) FROM mlops.events").fetchone()[0] > 0
    for _ in range(2):  # ship everything, then pull everything
        for s in stores:
            with TeamLink(s) as link:
                link.sync()
    with psycopg.connect(team_url) as con:
        total, distinct = con.execute(
            "SELECT count(*), count(DISTINCT event_id) FROM mlops.events").fetchone()
    assert total == distinct == len(truth)
    for s in stores:
        with db.connect(s, write=False) as con:
            ids = [i for (i,) in db.run(con, "SELECT id FROM event_log")]
            finished = db.scalar(con, "SELECT count(*) FROM runs WHERE status = 'finished'")
        lost, duplicated = len(set(truth) - set(ids)), len(ids) - len(set(ids))
        assert (lost, duplicated) == (0, 0), s.root.name
        assert finished == MACHINES * WRITERS
