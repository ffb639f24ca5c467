"""``jupyter mlops models / promote`` on a store named by ``--store`` alone."""

import json

from sklearn.linear_model import LogisticRegression

import jupyter_mlops as mlops
from jupyter_mlops import tracking
from tests.conftest import cli


def test_promote_and_history_on_the_store_option(tracked, tmp_path):
    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    mlops.register(model, "churn", metrics={"auc": 0.8})
    tracking.tracker().writer.close()
    mine = ("--store", str(tracked.root))
    elsewhere = {"JUPYTER_MLOPS_HOME": str(tmp_path / "elsewhere")}
    bad = cli(*mine, "promote", "churn", "1", "--gate", "auc", env=elsewhere)
    assert bad.returncode == 2
    assert "'auc': write METRIC=CONDITION, e.g. 'auc=>= 0.85'" in bad.stderr
    done = cli(*mine, "promote", "churn", "1", "--gate", "auc=>= 0.75", env=elsewhere)
    assert done.returncode == 0 and done.stdout.strip() == "churn@champion -> version 1"
    history = json.loads(cli(*mine, "models", "--history", "churn", "--json",
                             env=elsewhere).stdout)
    assert [(h["alias"], h["previous"], h["version"]) for h in history] == [
        ("champion", None, 1)]
    assert "[champion]" in cli(*mine, "models", env=elsewhere).stdout
    assert cli("models", env=elsewhere).stdout.strip() == "(nothing recorded yet)"
