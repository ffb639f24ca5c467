"""``%mlops`` through a real IPython shell (in process), and in a real kernel."""

import pytest
from IPython.core.error import UsageError
from traitlets.config import Configurable

import jupyter_mlops
from jupyter_mlops.exceptions import NotFound
from jupyter_mlops.magics import MLOpsMagics
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
    shell.config.pop("MLOpsMagics", None)  # `%config` lands in the one shell's config
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
    capture = jupyter_mlops._loaded[id(ip)][0]
    assert capture.settings.fingerprint is False


def test_a_store_error_keeps_its_words(ip, store):
    """A store error becomes a UsageError with the same message: it already says what to do."""
    with pytest.raises(NotFound) as direct:
        queries.cells(store, "zzzzzzzz")
    with pytest.raises(UsageError) as magic:
        ip.run_line_magic("mlops", "cells zzzzzzzz")
    assert str(magic.value) == str(direct.value)


def test_a_configurable_magics_class(ip, store):
    """``Magics, Configurable`` with ``magic_arguments`` (as jupysql's): ``%config`` reads
    and sets each trait, refuses a value of the wrong type, and ``%mlops runs`` follows."""
    magics = ip.magics_manager.registry["MLOpsMagics"]
    assert isinstance(magics, MLOpsMagics) and isinstance(magics, Configurable)
    assert hasattr(MLOpsMagics.mlops, "parser")  # @magic_arguments gave it its parser
    for name in MLOpsMagics.class_own_traits(config=True):
        assert ip.run_line_magic("config", f"MLOpsMagics.{name}") == getattr(magics, name)
    ip.run_line_magic("config", "MLOpsMagics.display_limit = 1")
    assert magics.display_limit == 1
    for _ in range(3):
        ip.run_line_magic("mlops", "run start")
    assert len(ip.run_line_magic("mlops", "runs")) == 1
    assert len(ip.run_line_magic("mlops", "runs -n 2")) == 2
    ip.run_line_magic("config", "MLOpsMagics.display_limit = 'ten'")  # IPython logs why
    assert magics.display_limit == 1


def test_in_a_kernel_a_mistake_stops_its_cell_and_recording_goes_on(store, kernel_factory):
    k = kernel_factory()
    k.run("%load_ext jupyter_mlops")
    assert k.run("x = 1")["status"] == "ok"
    bad = k.run("y = 2\n%mlops cells zzzzzzzz\nz = 3")
    assert (bad["status"], bad["ename"]) == ("error", "UsageError")
    assert bad["evalue"] == "unknown run id 'zzzzzzzz'. `jupyter mlops runs` lists the runs."
    after = k.run("print(y, 'z' in dir())\nimport jupyter_mlops\n"
                  "print(jupyter_mlops.tracker().run_id)")
    assert after["status"] == "ok" and after["stdout"].startswith("2 False\n")
    cells = queries.cells(store, after["stdout"].split()[-1])
    assert cells["status"].tolist() == ["ok", "error", "ok"]  # from the cell after %load_ext
    assert cells["writes"].map(list).tolist()[1] == ["y"]


def test_ingest_says_what_it_skipped(ip, store, capsys):
    (store.spool_dir / "junk-1-1-00000.jsonl").write_bytes(b"\x89PNG garbage\n")
    ip.run_line_magic("mlops", "ingest")
    out, err = capsys.readouterr()
    assert out.startswith("ingested ")
    assert "warning: " in err and "junk-1-1-00000.jsonl" in err


def test_config_reaches_the_reloaded_magics(ip):
    ip.run_line_magic("unload_ext", "jupyter_mlops")
    ip.run_line_magic("load_ext", "jupyter_mlops")
    ip.run_line_magic("config", "MLOpsMagics.display_limit = 7")
    assert ip.magics_manager.registry["MLOpsMagics"].display_limit == 7
    assert ip.run_line_magic("config", "MLOpsMagics.display_limit") == 7
    assert sum(isinstance(c, MLOpsMagics) for c in ip.configurables) == 1
