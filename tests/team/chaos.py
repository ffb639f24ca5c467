"""Processes of the team-store chaos test, one simulated machine each (its own store):

``python -m tests.team.chaos write STORE RUN_ID EVENTS``: a writer: one run of EVENTS
metrics events through a real spool writer, a few milliseconds apart.
``python -m tests.team.chaos sync STORE``: a shipper and puller: sync rounds until killed.
"""

from __future__ import annotations

import sys
import time

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store


def write(store: Store, run_id: str, count: int) -> None:
    from jupyter_mlops.store.spool import SpoolWriter

    w = SpoolWriter(store)
    w.append(ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "chaos",
                                       "kind": "interactive"}))
    for step in range(count):
        w.append(ev.Event(ev.METRICS, {"run_id": run_id, "step": step,
                                       "metrics": {"loss": 1 / (step + 1)}}))
        time.sleep(0.04)
    w.append(ev.Event(ev.RUN_ENDED, {"run_id": run_id, "status": "finished"}))
    w.close()


def sync_forever(store: Store) -> None:
    from jupyter_mlops.store.team.sync import Syncer

    syncer = Syncer(store)
    while True:
        done = syncer.round()  # a line per round: the test kills only working syncers
        print(done and done.shipped, syncer.last_error, flush=True)
        time.sleep(0.05)


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(Store.open(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    else:
        sync_forever(Store.open(sys.argv[2]))
