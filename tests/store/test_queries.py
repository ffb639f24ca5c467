import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.exceptions import StoreError
from jupyter_mlops.store import queries
from jupyter_mlops.store.spool import SpoolWriter


@pytest.fixture
def filled(store):
    w = SpoolWriter(store)
    for r in range(3):
        run_id = "c" * 30 + f"{r:02d}"
        w.append(ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": f"e{r % 2}",
                                           "kind": "interactive"}))
        w.append(ev.Event(ev.PARAMS, {"run_id": run_id, "params": {"depth": r, "tag": "t"}}))
        for step in range(4):
            w.append(ev.Event(ev.METRICS, {"run_id": run_id, "metrics": {"auc": r + step / 10},
                                           "step": step}))
        w.append(ev.Event(ev.PARAMS, {"run_id": run_id, "params": {"depth": r * 10}}))
    return store


def test_runs_pivot_latest_params_and_metrics(filled):
    frame = queries.runs(filled)
    assert frame["run_id"].str[-2:].tolist() == ["02", "01", "00"]  # newest first
    assert frame["params.depth"].tolist() == [20, 10, 0]  # the latest value wins
    assert frame["metrics.auc"].tolist() == pytest.approx([2.3, 1.3, 0.3])
    assert frame["params.tag"].tolist() == ["t"] * 3


def test_runs_filters_and_limit(filled):
    assert len(queries.runs(filled, experiment="e0")) == 2
    assert len(queries.runs(filled, limit=1)) == 1
    assert queries.runs(filled, experiment="nope").empty
    assert queries.runs(filled, experiment="'; DROP TABLE runs; --").empty
    assert len(queries.runs(filled)) == 3


def test_metric_history_in_order(filled):
    h = queries.metric_history(filled, "c" * 30 + "01", "auc")
    assert h["step"].tolist() == [0, 1, 2, 3]
    assert h["value"].tolist() == pytest.approx([1.0, 1.1, 1.2, 1.3])


def test_run_ids_resolve_by_unique_prefix_with_clear_errors(filled):
    assert queries.run(filled, "c" * 30 + "01")["params"] == {"depth": 10, "tag": "t"}
    with pytest.raises(StoreError, match="unknown run id 'ffffff'"):
        queries.run(filled, "ffffff")
    with pytest.raises(StoreError, match="ambiguous"):
        queries.cells(filled, "cccccc")
    with pytest.raises(StoreError, match="too short"):
        queries.run(filled, "ccc")


def test_empty_store_gives_empty_frames(store):
    assert queries.runs(store).empty
    assert queries.experiments(store).empty
