"""The layered layout: kinds in columns, tall columns wrapped, cells folded past the limit."""

from jupyter_mlops.widgets.layout import LAYERS, MAX_ROWS, ROW_H, key, layout


def _session(runs: int, cells: int) -> tuple[list[dict], list[dict]]:
    """``runs`` runs of ``cells`` cells each reading one dataset; each run makes a version."""
    nodes = [{"key": key("dataset", "d"), "kind": "dataset", "id": "d", "label": "data"}]
    edges = []
    for r in range(runs):
        run = f"run{r}"
        nodes.append({"key": key("run", run), "kind": "run", "id": run, "label": run})
        nodes.append({"key": key("model_version", f"m:{r}"), "kind": "model_version",
                      "id": f"m:{r}", "label": f"m:{r}"})
        edges.append({"source": key("run", run), "target": key("model_version", f"m:{r}"),
                      "relation": "produced"})
        for c in range(cells):
            cid = f"{run}-c{c}"
            nodes.append({"key": key("cell", cid), "kind": "cell", "id": cid, "label": cid,
                          "run": run})
            edges.append({"source": key("dataset", "d"), "target": key("cell", cid),
                          "relation": "read"})
    return nodes, edges


def test_kinds_read_left_to_right_and_200_nodes_stay_on_a_screen():
    nodes, edges = _session(runs=4, cells=48)  # 1 + 4 * (run, version, 48 cells) = 201
    nodes, edges = nodes[:-1], edges[:-1]  # less the last cell (and its edge): 200
    assert len(nodes) == 200
    done = layout(nodes, edges)
    assert done.collapsed == 0 and len(done.nodes) == 200
    x_of = {}
    for n in done.nodes:
        x_of.setdefault(n["kind"], set()).add(n["x"])
    order = sorted(x_of, key=lambda k: min(x_of[k]))
    assert order == [k for k in LAYERS if k in x_of]
    assert done.height <= (MAX_ROWS + 1) * ROW_H  # wrapped into sub-columns, not one tall one
    assert len(x_of["cell"]) == -(-191 // MAX_ROWS)
    spots = {(n["x"], n["y"]) for n in done.nodes}
    assert len(spots) == 200  # no two nodes on top of each other


def test_past_the_limit_cells_fold_into_their_runs():
    nodes, edges = _session(runs=5, cells=60)
    done = layout(nodes, edges, max_nodes=200)
    assert done.collapsed == 300
    assert {n["kind"] for n in done.nodes} == {"dataset", "run", "model_version"}
    assert next(n for n in done.nodes if n["id"] == "run0")["label"] == "run0 (60 cells)"
    reads = {(e["source"], e["target"]) for e in done.edges if e["relation"] == "read"}
    assert reads == {(key("dataset", "d"), key("run", f"run{r}")) for r in range(5)}
