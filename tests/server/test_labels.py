"""Names and labels people read, in the REST answers, over the store a real kernel filled."""

import re

from jupyter_mlops.store import names

RAW_ID = re.compile(r"[0-9a-f]{16,}")


async def test_runs_carry_their_name_and_are_found_by_it(api, run_id):
    code, body = await api("runs")
    run = next(r for r in body["runs"] if r["run_id"] == run_id)
    assert code == 200 and run["name"]
    code, same = await api("runs", run["name"])
    assert code == 200 and same["run_id"] == run_id and same["name"] == run["name"]
    code, found = await api("runs", q=run["name"][:5])
    assert run_id in [r["run_id"] for r in found["runs"]]


async def test_lineage_nodes_cells_and_versions_are_labelled(api, run_id):
    code, graph = await api("lineage", node="churn:1", depth=5)
    assert code == 200
    labels = {(n["kind"], n["label"]) for n in graph["nodes"]}
    assert not [label for _, label in labels if RAW_ID.search(label)]
    assert ("dataset", "df · DataFrame 400×2") in labels
    assert ("model_version", "churn:1") in labels
    assert ("cell", "#5 m = LogisticRegression(C=0.5).fit(df, y)") in labels
    code, body = await api("runs", run_id, "cells")
    assert body["cells"][0]["label"] == "#1 import numpy as np, pandas as pd"
    code, body = await api("models", "churn", "versions")
    assert sorted(v["label"] for v in body["versions"]) == ["churn:1", "churn:2"]


def test_labels_skip_comments_and_magics_and_cut_long_lines():
    source = "# load\n\n%time\n!ls\n  frame = load_everything_we_have(path, with_options=True)\n"
    assert names.cell_label(3, source) == "#3 frame = load_everything_we_have(path, w…"
    assert names.cell_label(1, "# only a comment") == "#1"
    assert names.dataset_label("X", "ndarray", [1000, 12]) == "X · ndarray 1,000×12"
    assert names.dataset_label(None, None, None) == "data"
    assert names.version_label("churn", 3, ["champion", "staging"]) == \
        "churn:3 @champion @staging"
