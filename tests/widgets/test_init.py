"""The public entry points: ``mlops.widgets``, ``%mlops show``, static inside a job."""

import pytest
from IPython.core.error import UsageError

from jupyter_mlops import config
from jupyter_mlops.magics import MLOpsMagics
from jupyter_mlops.tracking import tracker
from jupyter_mlops.widgets import Panel, View, drift
from tests.conftest import ipython


def test_a_job_gets_static_html_and_a_notebook_the_widget(showcase, monkeypatch):
    assert isinstance(drift(), View)
    monkeypatch.setenv(config.RUN_ID_ENV, "01job")
    shown = drift()
    assert isinstance(shown, Panel) and not isinstance(shown, View)
    assert "3 of 25 columns drifted" in shown._repr_html_()


def test_show_magic(showcase, run_ids):
    magics = MLOpsMagics(ipython(), tracker())
    assert isinstance(magics.mlops("show runs -e churn"), View)
    assert magics.mlops(f"show compare {run_ids[0]} {run_ids[1]}").panel.ids == run_ids
    assert magics.mlops("show lineage churn@champion").panel.start == "model_version/churn:1"
    assert magics.mlops("show drift").panel.report.id
    assert magics.mlops("show metric auc").panel.key == "auc"
    with pytest.raises(UsageError, match=r"`%mlops show lineage` takes 1 argument\(s\)"):
        magics.mlops("show lineage")
    with pytest.raises(UsageError, match="use one of: runs, compare, lineage, drift, metric"):
        magics.mlops("show tables")


@pytest.mark.parametrize("name", ["runs", "compare", "lineage", "drift", "metric"])
def test_namespace_is_lazy_and_complete(name):
    import jupyter_mlops as mlops

    assert callable(getattr(mlops.widgets, name))
