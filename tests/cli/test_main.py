"""The ``jupyter mlops`` group: how it is started, and which store its commands use."""

import json
import subprocess
import sys

import jupyter_mlops
from tests.cli.conftest import RUN
from tests.conftest import cli


def test_started_as_a_module_and_as_jupyter_subcommand(store):
    module = subprocess.run([sys.executable, "-m", "jupyter_mlops.cli", "--version"],
                            capture_output=True, text=True, timeout=120)
    assert module.returncode == 0 and jupyter_mlops.__version__ in module.stdout
    assert module.stdout.startswith("jupyter-mlops")
    sub = cli("--help")
    assert sub.returncode == 0 and "Query and maintain a jupyter-mlops store." in sub.stdout


def test_store_option_wins_over_the_environment(filled, tmp_path):
    """``--store`` is the store of every command, those that go through the process's
    tracker (here: lineage) too; ``$JUPYTER_MLOPS_HOME`` only names the default."""
    cli("ingest")
    elsewhere = {"JUPYTER_MLOPS_HOME": str(tmp_path / "elsewhere")}
    assert "(nothing recorded yet)" in cli("runs", env=elsewhere).stdout
    assert "churn" in cli("--store", str(filled.root), "runs", env=elsewhere).stdout
    walked = cli("--store", str(filled.root), "lineage", RUN[:16], "--format", "json",
                 env=elsewhere)
    assert walked.returncode == 0, walked.stderr
    assert {"kind": "run", "id": RUN} in [{k: n[k] for k in ("kind", "id")}
                                          for n in json.loads(walked.stdout)["nodes"]]
    lost = cli("lineage", RUN[:16], env=elsewhere)
    assert lost.returncode == 2 and RUN[:16] in lost.stderr
