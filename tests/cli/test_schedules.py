"""``jupyter mlops schedule …`` on a store named by ``--store`` alone."""

import json

from tests.conftest import cli
from tests.jobs.conftest import write_notebook


def test_schedule_commands_use_the_store_option(store, tmp_path):
    """Adding, listing and running a schedule all happen in the ``--store`` store, with
    ``$JUPYTER_MLOPS_HOME`` naming another one; the job's kernel records there too."""
    nb = write_notebook(tmp_path / "daily.ipynb", "import jupyter_mlops as mlops\n"
                        "mlops.log_metric('n', n)")
    elsewhere = {"JUPYTER_MLOPS_HOME": str(tmp_path / "elsewhere")}
    mine = ("--store", str(store.root))
    added = cli(*mine, "schedule", "add", str(nb), "--cron", "0 6 * * *", env=elsewhere)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("schedule daily: 0 6 * * *")
    listed = json.loads(cli(*mine, "schedule", "list", "--json", env=elsewhere).stdout)
    assert [s["name"] for s in listed] == ["daily"] and listed[0]["next_run"]
    assert cli("schedule", "list", env=elsewhere).stdout.strip() == "(nothing recorded yet)"
    done = cli(*mine, "schedule", "run-now", "daily", "-p", "n", "7", env=elsewhere)
    assert done.returncode == 0, done.stderr
    jobs = json.loads(cli(*mine, "jobs", "--json", env=elsewhere).stdout)
    assert [(j["schedule"], j["status"]) for j in jobs] == [("daily", "succeeded")]
    runs = json.loads(cli(*mine, "runs", "--json", env=elsewhere).stdout)
    assert runs[0]["metrics.n"] == 7
    assert cli("jobs", env=elsewhere).stdout.strip() == "(nothing recorded yet)"
