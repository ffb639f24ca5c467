"""Every endpoint's happy path against a store a real kernel filled, over real HTTP."""

import asyncio
from datetime import datetime, timedelta

from jupyter_mlops import events as ev
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.spool import SpoolWriter


async def test_experiments_and_runs(api, run_id):
    code, body = await api("experiments")
    assert code == 200 and body["experiments"][0]["runs"] == 1
    code, body = await api("runs")
    assert code == 200 and body["next_cursor"] is None
    run = body["runs"][0]
    assert run["run_id"] == run_id and run["status"] in ("running", "finished")
    assert run["params"] == {"C": 0.5, "solver": "lbfgs"}
    assert run["metrics"]["loss"] == 1 / 3 and run["metrics"]["auc"] == 0.9
    assert run["started"].startswith("20") and "T" in run["started"]
    code, body = await api("runs", q=run_id[:8], status=run["status"])
    assert [r["run_id"] for r in body["runs"]] == [run_id]
    code, body = await api("runs", experiment="no such experiment")
    assert (code, body["runs"]) == (200, [])


async def test_runs_keyset_pagination_visits_every_run_once(api, store):
    w = SpoolWriter(store)
    ids = [ev.new_id() for _ in range(7)]
    for run in ids:
        w.append(ev.Event(ev.RUN_STARTED, {"run_id": run, "experiment": "pages",
                                           "kind": "job"}))
    w.close()
    ingest(store)  # what the background ingest does within a second
    for order, expected in (("-started", ids[::-1]), ("started", ids)):
        seen, cursor = [], None
        while True:
            params = {"experiment": "pages", "limit": 3, "order": order}
            code, body = await api("runs", **params, **({"cursor": cursor} if cursor else {}))
            assert code == 200
            seen += [r["run_id"] for r in body["runs"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert seen == expected


async def test_run_cells_and_metric_history(api, run_id):
    code, run = await api("runs", run_id[:10])
    assert code == 200 and run["run_id"] == run_id
    assert run["params"]["solver"] == "lbfgs" and run["environment"]["python"]
    code, body = await api("runs", run_id, "cells")
    cells = body["cells"]
    assert [c["cell_id"] for c in cells][-len(["fit", "drift"]):] == ["fit", "drift"]
    fit = next(c for c in cells if c["cell_id"] == "fit")
    assert fit["status"] == "ok" and "m" in fit["writes"] and "df" in fit["reads"]
    assert fit["source"].startswith("m = LogisticRegression") and fit["duration_ms"] > 0
    code, body = await api("runs", run_id, "metrics", "loss")
    assert code == 200
    assert [(h["step"], h["value"]) for h in body["history"]] == [(0, 1.0), (1, 0.5),
                                                                  (2, 1 / 3)]


async def test_compare(api, run_id):
    code, body = await api("runs", "compare", ids=f"{run_id},{run_id[:8]}")
    assert code == 200 and [r["run_id"] for r in body["runs"]] == [run_id, run_id]
    assert body["metrics"] == ["auc", "loss"] and body["params"] == ["C", "solver"]


async def test_models_versions_and_promotion_through_the_gate(api, jp_fetch):
    code, body = await api("models")
    assert body["models"] == [{"name": "churn", "latest": 2, "versions": 2, "aliases": {}}]
    code, body = await api("models", "churn", "aliases", method="POST",
                           body={"version": 1, "gate": {"auc": ">= 0.85"}})
    assert (code, body["aliases"]) == (200, ["champion"])
    code, body = await api("models", "churn", "aliases", method="POST",
                           body={"version": 2, "gate": {"auc": ">= champion"}})
    assert code == 409 and body["error"] == "gate refused"
    assert "auc = 0.8 is not >= champion's 0.9" in body["detail"]
    code, body = await api("models", "churn", "versions")
    assert [v["version"] for v in body["versions"]] == [2, 1]
    assert body["versions"][1]["aliases"] == ["champion"]
    signature = body["versions"][0]["signature"]  # the fit's input, recorded by autolog
    assert [c["name"] for c in signature["columns"]] == ["x", "z"], signature
    assert [h["version"] for h in body["alias_history"]] == [1]  # the refusal changed nothing
    assert body["alias_history"][0]["gate"] == {"auc": ">= 0.85"}
    code, body = await api("models")
    assert body["models"][0]["aliases"] == {"champion": 1}


async def test_lineage_of_a_version_reaches_its_data_and_run(api, run_id):
    code, graph = await api("lineage", node="churn:1", depth=5)
    assert code == 200
    kinds = {n["kind"] for n in graph["nodes"]}
    assert {"model_version", "fit", "dataset", "cell"} <= kinds
    assert {"source", "target", "relation"} <= set(graph["edges"][0])
    code, up = await api("lineage", node="churn:1", direction="up", depth=1)
    assert all(n["depth"] in (0, -1) for n in up["nodes"]) and len(up["nodes"]) > 1
    fit = next(n for n in up["nodes"] if n["kind"] == "fit")
    code, same = await api("lineage", node=fit["id"], kind="fit", direction="down", depth=1)
    assert code == 200 and ["model_version", "churn:1"] in [e["target"] for e in same["edges"]]


async def test_drift_reports_with_histograms(api):
    code, body = await api("drift/reports")
    assert code == 200 and len(body["reports"]) == 1
    report = body["reports"][0]
    assert report["columns_drifted"] >= 1
    code, body = await api("drift", "reports", report["id"][:12])
    assert body["report"]["id"] == report["id"]
    x = next(c for c in body["columns"] if c["column_name"] == "x")
    assert x["drifted"] is True
    hist = x["histogram"]
    # interior bin boundaries: the outer bins are open-ended
    assert len(hist["edges"]) + 1 == len(hist["reference"]) == len(hist["current"])
    assert abs(sum(hist["reference"]) - 1) < 1e-9


async def test_health_and_background_ingest(api, store, run_id, jp_serverapp):
    # what `jupyter lab` does once its loop runs (pytest-jupyter does not): start the ingest
    await jp_serverapp.extension_manager.start_all_extensions()
    code, body = await api("health")
    assert code == 200 and body["store"] == str(store.root)
    assert body["schema_version"] >= 5 and body["last_ingest"]
    before = body["generation"]
    w = SpoolWriter(store)  # a kernel's spool, which the server ingests by itself
    w.append(ev.Event(ev.METRICS, {"run_id": run_id, "metrics": {"late": 1.0}}))
    w.flush()
    for _ in range(50):
        await asyncio.sleep(0.1)
        code, run = await api("runs", run_id)
        if "late" in run["metrics"]:
            break
    assert run["metrics"]["late"] == 1.0
    code, body = await api("health")
    assert body["generation"] > before and body["pending_bytes"] == 0
    w.close()


async def test_repeated_reads_are_cached_until_the_store_changes(api, jp_serverapp):
    answers = jp_serverapp.extension_manager.extension_apps["jupyter_mlops"].pop().answers
    await api("runs")
    opened = []
    original = answers.run
    answers.run = lambda *a: opened.append(a) or original(*a)
    for _ in range(3):
        assert (await api("runs"))[0] == 200
    assert opened == []
    await api("runs", limit=2)
    assert len(opened) == 1


async def test_the_shared_vocabulary(api, run_id):
    """run_id, a cell's seq and its lineage node id (event_id), reads/writes, and instants in
    ISO 8601 with their UTC offset (docs/rest.md)."""
    code, body = await api("runs", run_id)
    for key in ("started", "ended"):
        instant = datetime.fromisoformat(body[key])
        assert body[key].endswith("+00:00") and instant.utcoffset() == timedelta(0)
    code, body = await api("runs", run_id, "cells")
    body_cells = body["cells"]
    assert [c["seq"] for c in body_cells] == list(range(1, 7))
    data = next(c for c in body_cells if c["cell_id"] == "data")
    assert data["started"].endswith("+00:00")
    code, body = await api("runs", run_id, "metrics", "loss")
    assert [h["seq"] for h in body["history"]] == [4, 4, 4]
    assert all(h["ts"].endswith("+00:00") and "cell_seq" not in h for h in body["history"])
    code, graph = await api("lineage", node=data["event_id"], kind="cell", depth=1)
    assert code == 200 and ["cell", data["event_id"]] in [e["source"] for e in graph["edges"]]
    assert "writes" in {e["relation"] for e in graph["edges"]}
    params = next(c for c in body_cells if c["cell_id"] == "params")  # touched no data
    code, graph = await api("lineage", node=params["event_id"], kind="cell")
    assert (code, graph) == (200, {"nodes": [{"kind": "cell", "id": params["event_id"],
                                              "depth": 0, "label": params["label"]}],
                                   "edges": []})
    code, body = await api("lineage", node="0" * 32, kind="cell")
    assert code == 404 and "no recorded cell" in body["detail"]
    code, graph = await api("lineage", node="churn:1", depth=5)
    relations = {e["relation"] for e in graph["edges"]}
    assert {"reads", "writes"} <= relations and not relations & {"read", "wrote"}
    code, body = await api("health")
    assert body["last_ingest"] is None or body["last_ingest"].endswith("+00:00")
