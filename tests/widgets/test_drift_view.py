"""The drift view of a 25-column report: verdicts, histograms, size, and a saved report."""

import json

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import StoreError
from jupyter_mlops.monitoring.records import load_report
from jupyter_mlops.widgets.drift_view import DriftPanel, histogram


def test_every_column_its_verdict_and_histogram_under_200_kb(showcase):
    view = mlops.widgets.drift()
    panel = view.panel
    assert len(panel.report.rows) == 25
    assert set(panel.report.drifted_columns) == {"f01", "f02", "plan"}
    html = view._repr_mimebundle_()["text/html"]
    for column in ("f00", "f13", "f23", "plan"):
        assert f'data-value="{column}"' in html
    assert html.count("DRIFT") == 3 and html.count("<svg") == 25
    size = len(json.dumps(view._repr_mimebundle_()).encode())
    assert size < 200_000, size
    assert panel.selected == "f01"  # the first drifted column is the one charted
    assert [t.name for t in view.chart.data] == ["reference", "current"]
    view.panel.act("column", "plan")
    view.redraw()
    assert sorted(view.chart.data[0].x) == ["basic", "pro", "team"]
    assert view.chart.data[0].x[0] == "team"  # all of current is "team": the biggest bar
    assert view.chart.layout.title.text == "plan"


def test_saved_report_reads_back_as_computed(showcase):
    saved = load_report()
    again = load_report(saved.id[:10])
    assert again.id == saved.id and again.summary() == saved.summary()
    assert saved.to_frame()["column"].tolist() == [f"f{i:02d}" for i in range(24)] + ["plan"]
    assert all(r["_hist"] for r in saved.rows)
    with pytest.raises(StoreError, match="unknown drift report id"):
        load_report("zzzzzzzz")


def test_numeric_bins_become_densities_on_their_widths():
    bars = histogram({"edges": [0.0, 1.0, 3.0], "reference": [0.25, 0.25, 0.25, 0.25],
                      "current": [0.1, 0.2, 0.3, 0.4]})
    assert bars["groups"][0] == [0.25, 0.25, 0.125, 0.125]  # outer bins take neighbour widths
    assert bars["positions"][0] == (0.0, 1 / 6) and bars["labels"][1] == "0 … 1"
    assert histogram(None) is None


def test_bad_input_names_what_is_shown():
    with pytest.raises(TypeError, match=r"shows a DriftReport .* not a list"):
        DriftPanel([1, 2])
