"""The soak: 8 writer processes × 20k events while writers, ingesters and the scheduler
daemon are killed with SIGKILL at random, with a full-disk episode in the middle; then
count what was lost and what was applied twice.

Acknowledged = the writer's ``append`` returned (its id is then in the writer slot's ack
file, kept off the store's disk). A killed writer is restarted and carries on from its last
acknowledged event, as a new process with a new run. ``JUPYTER_MLOPS_SOAK_EVENTS`` sets the
events per writer (default 20,000). The full-disk episode needs root (a tmpfs for the store);
without it the soak runs on the ordinary disk and says so.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_mlops import events as ev
from jupyter_mlops.exceptions import StoreError
from jupyter_mlops.store import Store
from jupyter_mlops.store.spool import SpoolWriter
from tests.bench import Result

if TYPE_CHECKING:
    from tests.conftest import SmallDisk

#: The repository (the soak's processes import tests.bench from there). Writers import only
#: what they use: a killed writer is restarted, and its start-up time is the soak's cost.
ROOT = Path(__file__).resolve().parents[2]

WRITERS = 8
EVENTS = int(os.environ.get("JUPYTER_MLOPS_SOAK_EVENTS", "20000"))
INGESTERS = 2
#: Seconds between events of one writer: 20k events take ~40 s, long enough for many kills.
PAUSE = 0.002
SEED = 14


def _refused(acks: Path, who: str) -> None:
    """Note one write the full disk refused (on the acks' disk, which never fills)."""
    with open(acks.parent / f"refused-{who}", "a") as f:
        f.write("1\n")


def _append(w: SpoolWriter, acks: Path, type_: str, payload: dict[str, object]) -> ev.Event:
    """Append a new event until one is acknowledged (a full disk refuses them a while)."""
    while True:
        event = ev.Event(type_, payload)
        try:
            w.append(event)
            return event
        except (OSError, StoreError):
            _refused(acks, "append")
            time.sleep(0.01)


def writer(store: Store, acks: Path, slot: int, total: int) -> None:
    """Carry slot ``slot`` on from its last acknowledged event up to ``total``."""
    done = len(acks.read_text().split()) if acks.exists() else 0
    w = SpoolWriter(store)
    run_id = ev.new_id()
    _append(w, acks, ev.RUN_STARTED, {"run_id": run_id, "experiment": "soak",
                                       "kind": "interactive"})
    with open(acks, "a") as out:
        for i in range(done, total):
            event = _append(w, acks, ev.METRICS, {"run_id": run_id,
                                                  "metrics": {"slot": slot, "i": i}})
            out.write(event.id + "\n")
            out.flush()
            time.sleep(PAUSE)
    _append(w, acks, ev.RUN_ENDED, {"run_id": run_id, "status": "finished"})
    w.close()


def ingester(store: Store, acks: Path) -> None:
    """Ingest in a loop until killed; a full disk refuses ingests for a while."""
    from jupyter_mlops.store.ingest import ingest

    while True:
        try:
            ingest(store)
        except StoreError:
            _refused(acks, "ingest")
        time.sleep(0.05)


@dataclass
class _Fleet:
    """The processes of the soak, by role, and what was done to them."""

    store: Store
    acks: Path
    env: dict[str, str]
    writers: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    finished: set[int] = field(default_factory=set)
    others: dict[str, list[subprocess.Popen[bytes]]] = field(default_factory=dict)
    kills: dict[str, int] = field(default_factory=lambda: {"writer": 0, "ingester": 0,
                                                          "scheduler": 0})

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start_writer(self, slot: int) -> None:
        self.writers[slot] = self._spawn("-m", "tests.bench.bench_soak", "writer",
                                         str(self.store.root), str(self.acks / f"ack-{slot}"),
                                         str(slot), str(EVENTS))

    def start(self, role: str) -> subprocess.Popen[bytes]:
        if role == "ingester":
            return self._spawn("-m", "tests.bench.bench_soak", "ingester", str(self.store.root),
                               str(self.acks / "ingester"))
        return self._spawn("-m", "jupyter_mlops.cli", "scheduler", "--tick", "0.2")

    def tend(self) -> None:
        """Restart what was killed; note the writers that are done."""
        for slot, proc in list(self.writers.items()):
            if slot not in self.finished and proc.poll() is not None:
                if proc.returncode == 0:
                    self.finished.add(slot)
                else:
                    self.start_writer(slot)
        for role, procs in self.others.items():
            procs[:] = [p if p.poll() is None else self.start(role) for p in procs]

    def kill_one(self, rng: random.Random) -> None:
        role = rng.choice(["writer", "writer", "writer", "ingester", "ingester", "scheduler"])
        live = ([p for s, p in self.writers.items() if s not in self.finished]
                if role == "writer" else self.others[role])
        live = [p for p in live if p.poll() is None]
        if live:
            rng.choice(live).send_signal(signal.SIGKILL)
            self.kills[role] += 1

    def stop(self) -> None:
        for procs in self.others.values():
            for p in procs:
                p.send_signal(signal.SIGKILL)
                p.wait()


def _soak(store: Store, acks: Path, disk: SmallDisk | None) -> dict[str, float]:
    from jupyter_mlops.store.ingest import ingest

    fleet = _Fleet(store, acks, {**os.environ, "JUPYTER_MLOPS_HOME": str(store.root)})
    for slot in range(WRITERS):
        fleet.start_writer(slot)
    fleet.others = {"ingester": [fleet.start("ingester") for _ in range(INGESTERS)],
                    "scheduler": [fleet.start("scheduler")]}
    rng = random.Random(SEED)
    full_s, started = 0.0, time.monotonic()
    while len(fleet.finished) < WRITERS:
        time.sleep(rng.uniform(0.5, 1.5))
        fleet.tend()
        fleet.kill_one(rng)
        acked = sum(len(p.read_text().split()) for p in acks.glob("ack-*"))
        if disk is not None and not full_s and acked > 0.4 * WRITERS * EVENTS:
            disk.fill()
            t = time.monotonic()
            for _ in range(2):  # writers and ingesters meet the full disk, and are killed on it
                time.sleep(2.5)
                fleet.tend()
                fleet.kill_one(rng)
            full_s = time.monotonic() - t
            disk.free()
    seconds = time.monotonic() - started
    fleet.stop()
    ingest(store)
    return {"seconds": seconds, "full_s": full_s, **{f"kills_{k}": float(v)
                                                     for k, v in fleet.kills.items()}}


def _count(store: Store, acks: Path) -> dict[str, int]:
    from jupyter_mlops.store import db

    acked = [i for p in acks.glob("ack-*") for i in p.read_text().split()]
    with db.connect(store, write=False) as con:
        applied = {r[0] for r in db.run(con, "SELECT event_id FROM metrics")}
        twice = db.scalar(  # a metrics event has a row per key (here two: slot, i)
            con, "SELECT count(*) - count(DISTINCT (event_id, key)) FROM metrics") + \
            db.scalar(con, "SELECT count(*) - count(DISTINCT id) FROM event_log")
        status = dict(db.run(con, "SELECT status, count(*) FROM runs GROUP BY status"))
    refused = {who: len(p.read_text().split()) if (p := acks / f"refused-{who}").exists() else 0
               for who in ("append", "ingest")}
    quarantined = len(list(store.quarantine_dir.glob("*"))) if store.quarantine_dir.exists() \
        else 0
    return {"acked": len(acked), "lost": len(set(acked) - applied), "twice": twice,
            "unacked_applied": len(applied - set(acked)), "quarantined": quarantined,
            "finished": status.get("finished", 0), "died": status.get("died", 0),
            "running": status.get("running", 0), "refused_appends": refused["append"],
            "refused_ingests": refused["ingest"]}


def run() -> list[Result]:
    from tests.conftest import SmallDisk

    with tempfile.TemporaryDirectory() as tmp:
        acks = Path(tmp) / "acks"
        acks.mkdir()
        mount = Path(tmp) / "disk"
        mount.mkdir()
        disk = None
        if os.geteuid() == 0:
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", str(mount)],
                           check=True)
            disk = SmallDisk(mount)
        try:
            store = Store.open(mount / "store")
            store.ensure()
            figures = _soak(store, acks, disk)
            counts = _count(store, acks)
        finally:
            if disk is not None:
                subprocess.run(["umount", "--lazy", str(mount)], check=True)
    kills = (f"{figures['kills_writer']:.0f} writers, {figures['kills_ingester']:.0f} "
             f"ingesters, {figures['kills_scheduler']:.0f} scheduler daemons killed -9")
    episode = (f"full disk for {figures['full_s']:.1f} s: {counts['refused_appends']} appends "
               f"and {counts['refused_ingests']} ingests refused" if disk is not None
               else "no full-disk episode (needs root)")
    load = (f"{counts['acked']:,} acknowledged of {WRITERS} x {EVENTS:,} in "
            f"{figures['seconds']:.0f} s; {kills}; {episode}")
    return [
        Result("soak: acknowledged events lost", counts["lost"], "events", "0",
               counts["lost"] == 0, load,
               f"{counts['unacked_applied']} applied whose writer died before its ack"),
        Result("soak: events applied twice", counts["twice"], "events", "0",
               counts["twice"] == 0, f"{counts['quarantined']} lines quarantined",
               "counted in metrics and event_log"),
        Result("soak: runs left running, or writer slots without a finished run",
               counts["running"] + max(0, WRITERS - counts["finished"]), "runs", "0",
               counts["running"] == 0 and counts["finished"] >= WRITERS,
               f"{counts['finished']} finished (a writer killed after its last event "
               f"finishes a run again), {counts['died']} died",
               f"of {figures['kills_writer']:.0f} writer kills (most before a run started)"),
    ]


if __name__ == "__main__":
    role, store = sys.argv[1], Store.open(sys.argv[2])
    if role == "writer":
        writer(store, Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        ingester(store, Path(sys.argv[3]))
