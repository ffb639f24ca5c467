"""Why two showcase runs differ, as a widget: the param that differs and the edited cell."""

import jupyter_mlops as mlops
from jupyter_mlops.widgets import Panel, View


def test_params_and_cells_of_two_runs(showcase, run_ids):
    view = mlops.widgets.diff(*run_ids)
    assert isinstance(view, View)
    html = view.to_html()
    assert "<b>params</b>" in html and "<td>C</td>" in html
    cells = mlops.diff(*run_ids).cells
    assert cells and sum(html.count(f"<b>{change}</b>") for change in
                         ("added", "removed", "edited", "status")) == len(cells)
    assert html.count("<pre>") == len(cells)


def test_static_and_no_difference(showcase, run_ids):
    shown = mlops.widgets.diff(run_ids[0], run_ids[0], static=True)
    assert isinstance(shown, Panel) and "no differences" in shown._repr_html_()
