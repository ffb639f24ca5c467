"""Issue 14 item 8: a run is dead only when its writer process is gone."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store, queries
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.process import start_ticks
from jupyter_mlops.store.spool import spool_files
from tests.conftest import ROOT

#: A writer that rotates to a new segment every few milliseconds.
ROTATING_WRITER = """
import sys, time
from jupyter_mlops import events as ev
from jupyter_mlops.store import Store
from jupyter_mlops.store.spool import SpoolWriter
w = SpoolWriter(Store.open(sys.argv[1]), segment_bytes=1000)
w.append(ev.Event(ev.RUN_STARTED, {"run_id": "r" * 32, "experiment": "e", "kind": "interactive"}))
print("started", flush=True)
i = 0
while True:
    w.append(ev.Event(ev.METRICS, {"run_id": "r" * 32, "metrics": {"i": i}}))
    i += 1
    time.sleep(0.001)
"""


def _status(store: Store) -> str:
    return queries.runs(store)["status"].item()


def test_a_writer_rotating_segments_is_never_taken_for_dead(store):
    writer = subprocess.Popen([sys.executable, "-c", ROTATING_WRITER, str(store.root)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True, env=os.environ)
    try:
        assert writer.stdout.readline() == "started\n"
        deadline = time.monotonic() + 8
        rounds = 0
        while time.monotonic() < deadline:
            result = ingest(store)
            rounds += 1
            assert result.runs_closed == 0, f"a live run was closed in ingest {rounds}"
        assert rounds > 5 and len(spool_files(store)) >= 1
        assert _status(store) == "running"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert ingest(store).runs_closed == 1
    assert _status(store) == "died"


def test_a_pid_reused_by_another_process_is_not_the_writer(store):
    """Same host, same pid, another start time: the pid was reused, the writer is gone."""
    ticks = start_ticks(os.getpid())
    assert ticks is not None
    for name, run_id in ((f"{socket.gethostname()}-{os.getpid()}.{ticks + 1}-1-00000", "a"),
                         (f"{socket.gethostname()}-{os.getpid()}.{ticks}-2-00000", "b")):
        started = ev.Event(ev.RUN_STARTED, {"run_id": run_id * 32, "experiment": "e",
                                            "kind": "interactive"})
        (store.spool_dir / f"{name}.jsonl").write_bytes(started.to_line())
    assert ingest(store).runs_closed == 1
    statuses = dict(zip(*(queries.runs(store)[c] for c in ("run_id", "status")), strict=True))
    assert statuses == {"a" * 32: "died", "b" * 32: "running"}
