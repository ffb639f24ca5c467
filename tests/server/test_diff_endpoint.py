"""``GET /runs/{run_id}/diff/{other}`` over real HTTP, on the kernel-recorded run and a second
run written as a kernel's spool would be; the answer matches its declared schema."""

from jupyter_mlops import events as ev
from jupyter_mlops.server.schemas import DIFF
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.spool import SpoolWriter


async def test_diff_of_two_runs(api, store, run_id):
    other = ev.new_id()
    w = SpoolWriter(store)
    w.append(ev.Event(ev.RUN_STARTED, {"run_id": other, "experiment": "Default"}))
    w.append(ev.Event(ev.PARAMS, {"run_id": other, "params": {"C": 1.0, "solver": "lbfgs"},
                                  "seq": 1}))
    w.close()
    ingest(store)
    code, body = await api("runs", run_id, "diff", other)
    assert code == 200, body
    assert sorted(body) == sorted(DIFF["required"])
    assert (body["run_a"], body["run_b"]) == (run_id, other)
    assert [(p["key"], p["a"], p["b"]) for p in body["params"]] == [("C", 0.5, 1.0)]
    removed = {c["seq_a"] for c in body["cells"] if c["change"] == "removed"}
    assert len(removed) == 6 and body["cells"][0]["diff"].startswith("--- a/1")


async def test_diff_on_a_metric_and_errors(api, run_id):
    code, body = await api("runs", run_id, "diff", run_id, metric="auc")
    assert code == 200 and body["params"] == body["cells"] == [] and body["data"] is None
    assert body["values"] == [0.9, 0.9]
    code, body = await api("runs", run_id, "diff", run_id, metric="nope")
    assert code == 404 and "auc" in body["detail"]
    code, body = await api("runs", run_id, "diff", "ffffffffffff")
    assert code == 404 and "unknown run id" in body["detail"]
