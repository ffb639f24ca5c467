"""Lineage through a real kernel: two models on different data, their ancestry and slices."""

import json
import re

import pandas as pd
import pytest

import jupyter_mlops as mlops
from jupyter_mlops import tracking
from jupyter_mlops.capture.fingerprint import fingerprint
from tests.conftest import cli

NOTEBOOK = [
    ("imports", "import numpy as np, pandas as pd\nfrom sklearn.linear_model import "
                "LogisticRegression\nimport jupyter_mlops as mlops"),
    ("data-a", "a = pd.DataFrame({'x': np.arange(200.0), 'z': np.arange(200.0) % 7})\n"
               "ya = (a.x > 100).astype(int)"),
    ("data-b", "b = pd.DataFrame({'x': np.arange(300.0) * 2, 'z': np.arange(300.0) % 5})\n"
               "yb = (b.z > 2).astype(int)"),
    ("explore", "summary = a.describe()\nprint(len(b))"),
    ("mutate", "a['z'] = a['z'] * 10"),
    ("param", "C = 0.5"),
    ("plot", "note = str(a.shape)  # stands for a plot: reads the data, writes nothing used"),
    ("fit-a", "ma = LogisticRegression(C=C).fit(a, ya)\nmlops.register(ma, 'model-a')"),
    ("fit-b", "mb = LogisticRegression().fit(b, yb)\nmlops.register(mb, 'model-b')"),
]


@pytest.fixture
def recorded(store, kernel_factory, monkeypatch):
    k = kernel_factory()
    k.record(NOTEBOOK)
    k.shutdown()
    monkeypatch.setattr(tracking, "_tracker", tracking.Tracker(store))
    return store


def _frames():
    import numpy as np

    a = pd.DataFrame({"x": np.arange(200.0), "z": np.arange(200.0) % 7})
    b = pd.DataFrame({"x": np.arange(300.0) * 2, "z": np.arange(300.0) % 5})
    a["z"] = a["z"] * 10
    return a, b


def test_each_model_descends_from_its_own_data_and_cells(recorded):
    a, b = _frames()
    up_a = mlops.lineage.ancestors("model-a:1")
    up_b = mlops.lineage.ancestors("model-b:1")
    data_a = set(up_a.loc[up_a.kind == "dataset", "id"])
    data_b = set(up_b.loc[up_b.kind == "dataset", "id"])
    assert fingerprint(a) in data_a and fingerprint(a) not in data_b
    assert fingerprint(b) in data_b and fingerprint(b) not in data_a
    assert {"fit", "run", "cell"} <= set(up_a.kind)
    down = mlops.lineage.descendants(dataset=b)
    assert ("model_version", "model-b:1") in set(zip(down.kind, down.id, strict=True))
    assert ("model_version", "model-a:1") not in set(zip(down.kind, down.id, strict=True))


def test_slice_keeps_what_the_model_needs_and_nothing_else(recorded):
    cells = mlops.lineage.slice("model-a:1")
    assert cells["cell_id"].tolist() == ["imports", "data-a", "mutate", "param", "fit-a"]
    other = mlops.lineage.slice("model-b:1")["cell_id"].tolist()
    assert other == ["imports", "data-b", "fit-b"]


def test_path_and_drift_reports_link_to_the_resolved_version(recorded):
    a, _ = _frames()
    chain = mlops.lineage.path(a, "model-a:1")
    assert chain.iloc[0].src_id == fingerprint(a) and chain.iloc[-1].dst_id == "model-a:1"
    assert mlops.lineage.path("model-b:1", a).empty
    mlops.promote("model-a", 1, "champion")
    report = mlops.drift(a, a, model="model-a@champion")
    down = mlops.lineage.descendants("model-a:1")
    assert ("drift_report", report.id) in set(zip(down.kind, down.id, strict=True))


def test_graph_json_and_cli(recorded):
    graph = mlops.lineage.graph("model-a:1")
    kinds = {n["kind"] for n in graph["nodes"]}
    assert {"dataset", "cell", "fit", "model_version"} <= kinds
    assert all(e["relation"] for e in graph["edges"])
    labels = {n["kind"]: n["label"] for n in graph["nodes"]}
    assert labels["model_version"].startswith("model-a:1")  # labelled as REST labels them
    assert labels["cell"].startswith("#") and not re.search(r"[0-9a-f]{16}", labels["cell"])
    done = cli("lineage", "model-a:1", "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["nodes"]
    dot = cli("lineage", "model-a:1", "--format", "dot").stdout
    assert dot.startswith("digraph lineage") and "fitted_on" in dot


def test_the_in_memory_index_answers_what_the_sql_walk_answers(recorded):
    from jupyter_mlops.store import db

    with db.connect(recorded, write=False) as con:
        index = mlops.lineage.EdgeIndex.load(con)
        starts = [("model_version", "model-a:1"), ("model_version", "model-b:1"),
                  *db.run(con, "SELECT DISTINCT 'run', id FROM runs"),
                  *db.run(con, "SELECT DISTINCT src_kind, src_id FROM lineage LIMIT 12")]
        for start in starts:
            for direction in ("up", "down", "both"):
                for depth in (1, 3, 50):
                    assert index.graph(start, depth, direction) == mlops.lineage.graph_on(
                        con, start, depth, direction), (start, direction, depth)
