"""``jupyter mlops runs / show / cells`` as a user runs them: real subprocesses on a real store."""

import json

from tests.cli.conftest import RUN
from tests.conftest import cli


def test_runs_show_and_cells(filled):
    out = cli("runs").stdout
    assert "churn" in out and "params.alpha" in out and "0.91" in out
    records = json.loads(cli("runs", "--json").stdout)
    assert records[0]["run_id"] == RUN and records[0]["metrics.auc"] == 0.91
    show = cli("show", RUN[:8])
    assert show.returncode == 0
    assert "alpha = 0.3" in show.stdout and "auc = 0.91" in show.stdout
    assert json.loads(cli("show", RUN, "--json").stdout)["cells"][0]["writes"] == ["x"]
    assert json.loads(cli("cells", RUN, "--json").stdout)[0]["source"] == "x = 1"


def test_unknown_run_id_is_one_line_and_exit_2(filled):
    done = cli("show", "ffffffff")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "jupyter-mlops: error: unknown run id 'ffffffff'. `jupyter mlops runs` lists the runs."]
