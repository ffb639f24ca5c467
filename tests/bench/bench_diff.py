"""``mlops.diff`` on two 500-cell runs (issue 16: ≤ 200 ms), among other runs in the store.

Each cell reads the two previous cells' data and writes its own, with per-statement records;
the second run has one param, one edited cell, one package and the data from cell 250 on
changed. The baseline is reading the two runs' cells with ``queries.cells`` (the read the
diff stands on, as the existing API makes it).
"""

from __future__ import annotations

import tempfile

from jupyter_mlops import comparison, tracking
from jupyter_mlops import events as ev
from jupyter_mlops.store import Store, queries
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.spool import SpoolWriter
from tests.bench import Result, p50

CELLS, OTHER_RUNS, PACKAGES = 500, 20, 300


def _run(w: SpoolWriter, variant: int) -> str:
    """One recorded 500-cell notebook run; ``variant`` 1 differs from 0 as the module says."""
    run_id = ev.new_id()
    packages = {f"pkg{i}": "1.0" for i in range(PACKAGES)}
    if variant == 1:
        packages["pkg7"] = "1.1"
    events = [ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "e"}),
              ev.Event(ev.RUN_ENVIRONMENT, {
                  "run_id": run_id, "env_id": f"env{variant}", "git_commit": "abc",
                  "git_dirty": False, "environment": {
                      "python": "3.12", "platform": "linux", "hostname": "h", "kernel": "k",
                      "packages": packages}})]
    for seq in range(1, CELLS + 1):
        source = f"x{seq} = f(x{seq - 1}, x{max(seq - 2, 0)})\nprint(x{seq}.shape)"
        if variant == 1 and seq == 300:
            source = source.replace("f(", "g(")
        tag = variant if seq >= 250 else 0
        reads = [f"x{seq - 1}", f"x{max(seq - 2, 0)}"] if seq > 1 else []
        data = [{"fingerprint": f"{variant * (s >= 250):08x}{s:024x}", "role": "reads",
                 "name": f"x{s}", "kind": "DataFrame", "shape": [100, 5]}
                for s in (seq - 1, seq - 2) if s > 0]
        data.append({"fingerprint": f"{tag:08x}{seq:024x}", "role": "writes",
                     "name": f"x{seq}", "kind": "DataFrame", "shape": [100, 5]})
        events.append(ev.Event(ev.CELL, {
            "run_id": run_id, "seq": seq, "cell_id": f"c{seq}", "execution_count": seq,
            "source": source, "source_hash": str(hash(source)), "status": "ok",
            "duration_ms": 1.0, "reads": reads, "writes": [f"x{seq}"], "data": data,
            "statements": [{"line": 1, "reads": reads, "writes": [f"x{seq}"],
                            "kills": [f"x{seq}"]}]}))
        if seq % 50 == 0:
            events.append(ev.Event(ev.PARAMS, {"run_id": run_id, "seq": seq, "params": {
                f"p{seq}": 0.1 * (1 + variant * (seq == 100))}}))
    events.append(ev.Event(ev.METRICS, {"run_id": run_id, "seq": CELLS,
                                        "metrics": {"auc": 0.9 - 0.01 * variant}}))
    w.write(events)
    return run_id


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(tmp)
        store.ensure()
        w = SpoolWriter(store)
        for _ in range(OTHER_RUNS):
            _run(w, 0)
        a, b = _run(w, 0), _run(w, 1)
        w.close()
        ingest(store)
        saved, tracking._tracker = tracking._tracker, tracking.Tracker(store)
        try:
            found = comparison.diff(a, b)
            assert [p["key"] for p in found.params] == ["p100"] and len(found.cells) == 1
            assert found.data is not None and found.data["producer_a"] == 250, found.data
            assert [p["name"] for p in found.packages] == ["pkg7"]
            whole = p50(lambda: comparison.diff(a, b))
            sliced = p50(lambda: comparison.diff(a, b, metric="auc"))
            base = p50(lambda: (queries.cells(store, a), queries.cells(store, b)))
        finally:
            tracking._tracker.writer.close()
            tracking._tracker = saved
    worst = max(whole, sliced)
    return [Result(f"diff: two {CELLS}-cell runs (whole {whole:.0f} ms, on a metric's slice "
                   f"{sliced:.0f} ms), median", worst, "ms", "<= 200 ms", worst <= 200,
                   f"queries.cells() of both runs: {base:.0f} ms", f"{worst / base:.1f}x")]
