"""A version's lineage: every kind of node laid out, a click shows a node's details."""

import jupyter_mlops as mlops
from jupyter_mlops.widgets.layout import key


def test_graph_of_the_champion_and_node_details(showcase, run_ids):
    view = mlops.widgets.lineage("churn@champion")
    panel = view.panel
    kinds = {n["kind"] for n in panel.graph.nodes}
    assert kinds == {"dataset", "cell", "fit", "run", "model_version", "alias", "drift_report"}
    assert panel.start == key("model_version", "churn:1")
    html = view.view.html
    assert html.count('class="jp-mlops-node"') == len(panel.graph.nodes)
    assert "X 400×25" in html and "churn@champion" in html
    fit_cell = next(n for n in panel.graph.nodes if n["kind"] == "cell"
                    and "LogisticRegression" in n["label"])
    view._act("node", fit_cell["key"])
    assert panel.selected == fit_cell["key"]
    assert "mlops.register(model, &#x27;churn&#x27;" in view.view.html  # its source, escaped
    assert run_ids[0] in view.view.html  # and its run
    view._act("node", "cell/not-in-graph")
    assert panel.selected == fit_cell["key"]


def test_static_output_is_the_same_graph(showcase):
    panel = mlops.widgets.lineage("churn:1", static=True)
    assert not hasattr(panel, "view")  # no widget at all
    html = panel._repr_html_()
    assert "<svg" in html and html.count('class="jp-mlops-node"') == len(panel.graph.nodes)
    assert "<script" not in html
