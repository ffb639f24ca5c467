"""The chaos scenario of the team store (its test and its benchmark): four machines × 8
writers; shippers and pullers killed (-9) at random; PostgreSQL restarted mid-run, then away
for a while; then every machine ships and pulls once more, and what each holds is counted."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from jupyter_mlops.server.background import BackgroundIngest
from jupyter_mlops.store import Store, db
from jupyter_mlops.store.team import save_url
from jupyter_mlops.store.team.status import init
from jupyter_mlops.store.team.sync import TeamLink

from .postgres import Postgres

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
        time.sleep(0.3)


def machine(folder: Path, name: str, url: str) -> Store:
    """A simulated machine: a store of its own, joined to the team store at ``url``."""
    store = Store.open(folder / name)
    store.ensure()
    save_url(store, url)
    return store


def server_loop(store: Store, stop: threading.Event) -> threading.Thread:
    """The server extension's background loop (every 1 s, its default) on a thread, with
    blocking work in worker threads as the server runs it, until ``stop`` is set."""
    async def main() -> None:
        async def run(f: Any, *args: Any) -> Any:
            return await asyncio.to_thread(f, *args)

        task = asyncio.ensure_future(BackgroundIngest(store).forever(1.0, run))
        while not stop.is_set():
            await asyncio.sleep(0.1)
        task.cancel()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    return thread


@dataclass
class Outcome:
    written: int = 0  # distinct events the writers recorded, all machines
    kills: int = 0
    writing: list[int] = field(default_factory=list)  # writers running at each outage
    shipped_meanwhile: int = 0  # events in PostgreSQL before the final rounds
    team: tuple[int, int] = (0, 0)  # events in PostgreSQL, distinct ids among them
    lost: list[int] = field(default_factory=list)  # per machine
    duplicated: list[int] = field(default_factory=list)
    finished: list[int] = field(default_factory=list)  # runs finished, per machine
    seconds: float = 0.0


def scenario(folder: Path, url: str, postgres: Postgres) -> Outcome:
    rng, started, out = random.Random(19), time.monotonic(), Outcome()
    init(Store.open(folder / "m0"), url)
    stores = [machine(folder, f"m{i}", url) for i in range(MACHINES)]
    syncers = {i: spawn("sync", s) for i, s in enumerate(stores)}
    born = dict.fromkeys(syncers, 0)  # rounds done before the machine's syncer started
    wait_for(lambda: all(rounds(s) for s in stores), "the syncers to start")
    writers = [spawn("write", s, f"{i:02d}{w:02d}".ljust(32, "0"), str(EVENTS))
               for i, s in enumerate(stores) for w in range(WRITERS)]
    wait_for(lambda: sum(len(list(s.spool_dir.glob("*.jsonl"))) for s in stores)
             >= MACHINES * WRITERS, "the writers to start")
    try:
        while any(w.poll() is None for w in writers) or len(out.writing) < 2:
            time.sleep(rng.uniform(0.3, 1.0))
            # a shipper/puller killed mid-whatever, once it has started working
            working = [i for i, n in born.items() if rounds(stores[i]) > n]
            if working:
                victim = rng.choice(working)
                syncers[victim].send_signal(signal.SIGKILL)
                syncers[victim].wait()
                born[victim] = rounds(stores[victim])
                syncers[victim] = spawn("sync", stores[victim])
                out.kills += 1
            if out.kills == 1 and not out.writing:
                out.writing.append(sum(w.poll() is None for w in writers))
                postgres.restart()  # a crash and restart, mid-run
            elif out.kills == 3 and len(out.writing) == 1:
                out.writing.append(sum(w.poll() is None for w in writers))
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
    truth = {i for s in stores for i in written(s)}
    out.written = len(truth)
    with psycopg.connect(url) as con:
        out.shipped_meanwhile = con.execute("SELECT count(*) FROM mlops.events").fetchone()[0]
    for _ in range(2):  # ship everything, then pull everything
        for s in stores:
            with TeamLink(s) as link:
                link.sync()
    with psycopg.connect(url) as con:
        out.team = con.execute(
            "SELECT count(*), count(DISTINCT event_id) FROM mlops.events").fetchone()
    for s in stores:
        with db.connect(s, write=False) as con:
            ids = [i for (i,) in db.run(con, "SELECT id FROM event_log")]
            out.finished.append(db.scalar(
                con, "SELECT count(*) FROM runs WHERE status = 'finished'"))
        out.lost.append(len(truth - set(ids)))
        out.duplicated.append(len(ids) - len(set(ids)))
    out.seconds = time.monotonic() - started
    return out
