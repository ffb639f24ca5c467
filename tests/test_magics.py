"""``%mlops`` through a real IPython shell (in process)."""

import pytest
from IPython.core.error import UsageError

import jupyter_mlops
from jupyter_mlops.store import queries
from tests.conftest import ipython


@pytest.fixture
def ip(store, monkeypatch):
    from jupyter_mlops import tracking

    monkeypatch.setattr(tracking, "_tracker", tracking.Tracker(store))
    shell = ipython()
    shell.run_line_magic("load_ext", "jupyter_mlops")
    yield shell
    shell.run_line_magic("unload_ext", "jupyter_mlops")
    shell.reset()


def test_magics_log_and_query(ip, store, capsys):
    ip.run_cell("alpha = 0.3\nimport pandas as pd\ndf = pd.DataFrame({'a': [1, 2]})",
                store_history=True)
    ip.run_line_magic("mlops", "experiment churn")
    ip.run_line_magic("mlops", "log_param alpha depth=4")
    ip.run_line_magic("mlops", "log_metric auc=0.91 --step 3")
    runs = ip.run_line_magic("mlops", "runs")
    row = runs.iloc[0]
    assert (row["experiment"], row["params.alpha"], row["params.depth"], row["metrics.auc"]) == (
        "churn", 0.3, 4, 0.91)
    cells = ip.run_line_magic("mlops", "cells")
    assert cells["writes"].map(list).tolist()[0] == ["alpha", "df", "pd"]
    data = queries.cell_data(store, row["run_id"])
    assert data.loc[data.name == "df", "kind"].tolist() == ["DataFrame"]


def test_loading_twice_records_each_cell_once(ip, store):
    jupyter_mlops.load_ipython_extension(ip)
    ip.run_cell("x = 1", store_history=True)
    run_id = jupyter_mlops.tracker().run_id
    assert len(queries.cells(store, run_id)) == 1


def test_mlops_name_is_bound_unless_taken(ip):
    assert ip.user_ns["mlops"] is jupyter_mlops
    ip.run_line_magic("unload_ext", "jupyter_mlops")
    ip.user_ns["mlops"] = "mine"
    ip.run_line_magic("load_ext", "jupyter_mlops")
    assert ip.user_ns["mlops"] == "mine"


@pytest.mark.parametrize("line, message", [
    ("bogus", "unknown command 'bogus'"),
    ("log_param nothere", "'nothere' is not defined in the notebook"),
    ("experiment", "give exactly one experiment name"),
    ("cells zzzzzzzz", "unknown run id 'zzzzzzzz'"),
    ("run sideways", "use `%mlops run start"),
    ("lineage", "use `%mlops lineage churn@champion`"),
    ("lineage nope@champion", "model 'nope' has no alias 'champion'"),
    ("runs --limit notanumber", "invalid int value"),
])
def test_bad_input_is_one_clear_line(ip, line, message):
    with pytest.raises(UsageError, match=message) as raised:  # Run-All stops here
        ip.run_line_magic("mlops", line)
    assert len(str(raised.value).splitlines()) == 1


def test_a_value_that_is_not_a_metric_warns(ip, caplog):
    ip.run_line_magic("mlops", "log_metric x='text'")
    assert [r for r in caplog.records if "metric 'x' must be a number" in r.getMessage()]


def test_run_end_and_start(ip, store):
    first = jupyter_mlops.tracker().run_id
    ip.run_line_magic("mlops", "run end")
    second = ip.run_line_magic("mlops", "run start -e other")
    assert second != first
    frame = queries.runs(store)
    statuses = dict(zip(frame["run_id"], frame["status"], strict=True))
    assert statuses[first] == "finished" and statuses[second] == "running"


def test_config_traits(ip):
    ip.run_line_magic("config", "MLOpsMagics.fingerprint = False")
    capture = jupyter_mlops._loaded[id(ip)]
    assert capture.settings.fingerprint is False
