"""Cell history over a big store (issue 16 item 5: one cell over 10k runs ≤ 50 ms): 10,000
runs of one 20-cell notebook (cells matched by their notebook ids), the last one with a cell
10× slower. ``mlops.cells.history`` of one cell, and the run detail's question (the run's
flagged cells with their last 30 executions, what ``GET /runs/{id}/cells/history`` answers).
The baseline is ``queries.cells`` of one run: the read the run detail makes already.
"""

from __future__ import annotations

import tempfile

import numpy as np

from jupyter_mlops import events as ev
from jupyter_mlops.store import Store, queries
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.spool import SpoolWriter
from tests.bench import Result, p50

RUNS, CELLS = 10_000, 20


def _fill(store: Store) -> str:
    """The runs, each with its cells; returns the last (slow) run's id."""
    rng = np.random.default_rng(0)
    w = SpoolWriter(store)
    run_id = ""
    for i in range(RUNS):
        run_id = ev.new_id()
        events = [ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "nightly",
                                            "kind": "job", "notebook": "/nb/nightly.ipynb"})]
        for seq in range(1, CELLS + 1):
            slow = i == RUNS - 1 and seq == 7
            events.append(ev.Event(ev.CELL, {
                "run_id": run_id, "seq": seq, "cell_id": f"cell-{seq}",
                "source": f"step_{seq}()", "source_hash": f"h{seq}", "status": "ok",
                "duration_ms": float(rng.normal(200, 20)) * (10 if slow else 1)}))
        w.write(events)
    w.close()
    ingest(store)
    return run_id


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(tmp)
        store.ensure()
        last = _fill(store)
        history = queries.cell_history(store, "cell-7")
        assert len(history) == RUNS and history.flag.tolist()[-1] == "slower"
        _, flagged, points = queries.flagged_cells(store, last, points=30)
        assert flagged.seq.tolist() == [7] and len(points) == 30, flagged
        one = p50(lambda: queries.cell_history(store, "cell-7"))
        detail = p50(lambda: queries.flagged_cells(store, last, points=30))
        base = p50(lambda: queries.cells(store, last))
    return [
        Result(f"cell history: one cell over {RUNS:,} runs, median", one, "ms", "<= 50 ms",
               one <= 50, f"queries.cells() of one run: {base:.0f} ms", f"{one / base:.1f}x"),
        Result(f"cell history: a run's flagged cells ({CELLS} cells × {RUNS:,} runs), median",
               detail, "ms", "<= 200 ms", detail <= 200,
               f"queries.cells() of one run: {base:.0f} ms", f"{detail / base:.1f}x")]
