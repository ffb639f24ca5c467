"""Processes for the fault tests: ``python -m tests.store.fault_workers ROLE STORE ...``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store, queries
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.spool import SpoolWriter


def writer(store: Store, ack: Path, n: int, pause: float) -> None:
    """Write n metric events; an id goes to the ack file only after its write returned."""
    w = SpoolWriter(store)
    run_id = ev.new_id()
    w.append(ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "faults",
                                       "kind": "interactive"}))
    with open(ack, "a") as acks:
        for i in range(n):
            e = ev.Event(ev.METRICS, {"run_id": run_id, "metrics": {"i": i}})
            w.append(e)
            acks.write(e.id + "\n")
            acks.flush()
            if pause:
                time.sleep(pause)
    w.append(ev.Event(ev.RUN_ENDED, {"run_id": run_id, "status": "finished"}))
    w.close()


def loop(store: Store, role: str, seconds: float) -> None:
    """Ingest or read in a loop; a reader checks that what it sees never shrinks."""
    deadline, seen, rounds = time.monotonic() + seconds, 0, 0
    while time.monotonic() < deadline:
        if role == "ingester":
            ingest(store)
        else:
            counts = queries.summary(store)["counts"]
            assert counts["metrics"] >= seen, f"metrics went from {seen} to {counts['metrics']}"
            seen = counts["metrics"]
        rounds += 1
    print(rounds)


if __name__ == "__main__":
    role, root = sys.argv[1], Store.open(sys.argv[2])
    if role == "writer":
        writer(root, Path(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        loop(root, role, float(sys.argv[3]))
