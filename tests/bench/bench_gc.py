"""``jupyter mlops gc`` over 100k artifacts and 10k runs (issue 17: ≤ 10 s).

10k runs in 100 experiments, every other one failed, each with 10 logged artifacts (a
distinct small blob each). The dry run (``gc --failed``: the plan, a scan of the artifact
tree against the references) and then the gc that deletes the 5k failed runs and their 50k
blobs (tombstones appended and ingested, files removed). The baseline is what any gc must
do at least: ``os.scandir`` + ``os.stat`` of the same artifact tree.
"""

from __future__ import annotations

import os
import time

from jupyter_mlops import blobs
from jupyter_mlops import events as ev
from jupyter_mlops.retention import gc
from jupyter_mlops.store import Store, queries
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.queries.retention import Policy
from jupyter_mlops.store.spool import SpoolWriter
from tests.bench import Result, filled_store

RUNS, PER_RUN, EXPERIMENTS = 10_000, 10, 100


def _fill(store: Store) -> None:
    w = SpoolWriter(store)
    for n in range(RUNS):
        run_id = f"{n:032x}"
        events = [ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": f"e{n % EXPERIMENTS}",
                                            "kind": "interactive"})]
        for i in range(PER_RUN):
            data = f"run {n} artifact {i}".encode()
            sha = blobs.put(store, data, durable=False)
            events.append(ev.Event(ev.ARTIFACT, {"run_id": run_id, "seq": 1, "name": f"a{i}",
                                                 "kind": "file", "sha256": sha,
                                                 "size": len(data)}))
        events.append(ev.Event(ev.RUN_ENDED, {"run_id": run_id,
                                              "status": "failed" if n % 2 else "finished"}))
        w.write(events)
    w.close()
    ingest(store)


def _scan(store: Store) -> int:
    count = 0
    for folder in os.scandir(store.root / "artifacts"):
        for entry in os.scandir(folder.path):
            entry.stat()
            count += 1
    return count


def run() -> list[Result]:
    with filled_store(_fill) as store:
        t = time.perf_counter()
        assert _scan(store) == RUNS * PER_RUN
        base = time.perf_counter() - t
        t = time.perf_counter()
        dry = gc(store, Policy(failed=True)).plan
        planned = time.perf_counter() - t
        assert (len(dry.runs), len(dry.blobs)) == (RUNS // 2, RUNS * PER_RUN // 2)
        t = time.perf_counter()
        done = gc(store, Policy(failed=True), apply=True)
        applied = time.perf_counter() - t
        assert done.removed_bytes == dry.bytes
        assert len(queries.runs(store, limit=RUNS)) == RUNS // 2
        assert _scan(store) == RUNS * PER_RUN // 2
    scan = f"os.scandir + stat of the {RUNS * PER_RUN // 1000}k-file artifact tree: {base:.2f} s"
    return [
        Result(f"gc --failed, dry run: {RUNS // 1000}k runs, {RUNS * PER_RUN // 1000}k "
               f"artifacts", planned, "s", "<= 10 s", planned <= 10, scan,
               f"{planned / base:.1f}x"),
        Result(f"gc --failed --yes: {RUNS // 2000}k runs and {RUNS * PER_RUN // 2000}k blobs "
               f"deleted of {RUNS // 1000}k / {RUNS * PER_RUN // 1000}k", applied, "s",
               "<= 10 s", applied <= 10, scan, f"{applied / base:.1f}x"),
    ]
