"""What the sidebar's many-runs plots read: ``GET /runs?limit=1000`` over real HTTP answers a
1,000-run sweep (written through the spool) in one request, params and metrics inline, and
the cursor says when more runs exist."""

import time

from jupyter_mlops.server.schemas import RUN
from jupyter_mlops.store.ingest import ingest
from tests.bench.bench_compare_render import RUNS, SWEEP, fill_sweep


async def test_a_thousand_runs_in_one_request(api, store):
    fill_sweep(store)
    ingest(store)
    started = time.perf_counter()
    code, body = await api("runs", experiment=SWEEP, limit=RUNS)
    took = time.perf_counter() - started
    assert code == 200, body
    runs = body["runs"]
    assert len(runs) == RUNS and body["next_cursor"] is None
    assert all(set(RUN["required"]) <= set(r) for r in runs)
    assert {type(r["params"]["lr"]) for r in runs} == {float}
    assert {r["params"]["optimizer"] for r in runs} == {"adam", "rmsprop", "sgd"}
    assert sum("dropout" not in r["params"] for r in runs) == -(-RUNS // 7)
    assert sum("auc" not in r["metrics"] for r in runs) == RUNS // 50
    print(f"\n[rest] {RUNS} runs with params and metrics in {took * 1000:.0f} ms")
    # every run of the store: the newest 1,000, and a cursor to the rest
    code, body = await api("runs", limit=RUNS)
    assert code == 200 and len(body["runs"]) == RUNS and body["next_cursor"]
    code, rest = await api("runs", limit=RUNS, cursor=body["next_cursor"])
    assert code == 200 and rest["runs"] and rest["next_cursor"] is None
    assert not {r["run_id"] for r in rest["runs"]} & {r["run_id"] for r in body["runs"]}
