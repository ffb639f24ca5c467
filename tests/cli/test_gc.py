"""``jupyter mlops gc`` and ``doctor`` as a user runs them, end to end: real papermill jobs
(a kernel each) record runs, gc deletes the failed one and its executed notebook, a
rebuild afterwards gives the same runs."""

from __future__ import annotations

import json

from jupyter_mlops.store import queries
from tests.cli.conftest import RUN
from tests.conftest import cli
from tests.jobs.conftest import write_notebook


def test_gc_of_a_failed_job_end_to_end(store, tmp_path):
    good = write_notebook(tmp_path / "good.ipynb", "import jupyter_mlops as mlops\n"
                          "mlops.log_metric('auc', alpha)")
    bad = write_notebook(tmp_path / "bad.ipynb", "raise ValueError('no data')")
    assert cli("run", str(good), "-p", "alpha", "0.9").returncode == 0
    assert cli("run", str(bad)).returncode != 0
    jobs = queries.jobs(store)
    failed = jobs.loc[jobs["status"] == "failed", "run_id"].item()
    assert (store.root / "jobs" / failed).is_dir()

    dry = cli("gc", "--failed")
    assert dry.returncode == 0, dry.stderr
    assert "would delete 1 runs (1 experiments)" in dry.stdout
    assert "1 job outputs" in dry.stdout and "dry run: nothing was deleted" in dry.stdout
    assert failed[:12] in dry.stdout
    assert (store.root / "jobs" / failed).is_dir()

    done = json.loads(cli("gc", "--failed", "--yes", "--compact", "--json").stdout)
    assert (done["runs"], done["job_outputs"], done["deleted"]) == (1, 1, True)
    assert done["bytes"] > 0 and done["compacted_events"] >= 3
    assert not (store.root / "jobs" / failed).exists()
    left = set(queries.runs(store)["run_id"])
    assert failed not in left and len(left) == 1
    assert failed not in set(queries.jobs(store)["run_id"])
    assert cli("rebuild").returncode == 0
    assert set(queries.runs(store)["run_id"]) == left

    doc = cli("doctor").stdout
    assert "bytes: " in doc and "job outputs" in doc and "archive" in doc
    assert "databases a rebuild kept" in doc  # the rebuild above moved the old one aside
    assert "gc would free: 0 B" in doc


def test_bad_input_gets_one_line(filled):
    bad_age = cli("gc", "--older-than", "a month")
    assert bad_age.returncode == 2
    assert "write e.g. 30d, 12h, 2w" in bad_age.stderr and "Traceback" not in bad_age.stderr
    negative = cli("gc", "--keep-last", "-1")
    assert negative.returncode == 2 and "-1 is not in the range x>=0" in negative.stderr


def test_no_policy_selects_no_run(filled):
    out = cli("gc").stdout
    assert "no policy given" in out and "would delete 0 runs" in out


def test_delete_one_run(filled):
    done = cli("delete", RUN[:8], "--reason", "a typo")
    assert (done.returncode, done.stdout.strip()) == (0, f"deleted run {RUN}")
    assert "(nothing recorded yet)" in cli("runs").stdout
    again = cli("delete", RUN[:8])
    assert again.returncode == 2 and "unknown run id" in again.stderr
