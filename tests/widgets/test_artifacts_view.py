"""mlops.widgets.artifacts(run): figures drawn inline (one of a PNG + SVG pair), all listed."""

import base64

import matplotlib

import jupyter_mlops as mlops
from jupyter_mlops import tracking
from jupyter_mlops.widgets import Panel, View

matplotlib.use("agg")


def test_figures_drawn_and_every_artifact_listed(tracked, tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    mlops.log_figure(fig, "curve")
    mlops.log_text("<b>not markup</b>", "notes.txt")
    run_id = tracking.tracker().run_id
    view = mlops.widgets.artifacts(run_id)
    assert isinstance(view, View)
    html = view.to_html()
    assert html.count("<img ") == 1 and 'alt="curve.png"' in html
    png = html.split('src="data:image/png;base64,')[1].split('"')[0]
    assert base64.b64decode(png)[:4] == b"\x89PNG"
    for name in ("curve.png", "curve.svg", "notes.txt"):
        assert f"<td>{name}</td>" in html
    assert "<b>not markup</b>" not in html  # a text artifact is listed, never rendered
    shown = mlops.widgets.artifacts(run_id[:8], static=True)
    assert isinstance(shown, Panel) and "3 artifacts" in shown.to_html()
