"""``jupyter mlops score / label / batches / retire`` as a user types them: a progress line,
the batch id, labels from a file, and a retired champion refused."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

import jupyter_mlops as mlops
from jupyter_mlops import tracking
from tests.conftest import cli


def test_score_label_and_retire(tracked, tmp_path):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(3000, 2)), columns=["a", "b"])
    y = (X.a > 0).astype(int)
    mlops.register(LogisticRegression().fit(X, y), "churn", input_example=X)
    mlops.register(LogisticRegression(C=1e-4).fit(X, y), "churn", input_example=X)
    mlops.promote("churn", 1)
    tracking.tracker().writer.close()
    X.assign(id=range(3000)).to_parquet(tmp_path / "in.parquet")
    pd.DataFrame({"y": y}).to_csv(tmp_path / "labels.csv", index=False)
    mine = ("--store", str(tracked.root))

    done = cli(*mine, "score", "churn@champion", str(tmp_path / "in.parquet"), "--out",
               str(tmp_path / "out.csv"), "--keep", "id", "--shadow", "churn:2",
               "--chunk-rows", "1000")
    assert done.returncode == 0, done.stderr
    assert "scored 3,000 / 3,000 (100%) rows" in done.stderr
    assert "3,000 rows ->" in done.stdout and "churn:2 (shadow, 3,000 rows)" in done.stdout
    batch_id = done.stdout.split()[1].rstrip(":")
    assert len(pd.read_csv(tmp_path / "out.csv")) == 3000

    labeled = cli(*mine, "label", batch_id, str(tmp_path / "labels.csv"), "--json")
    assert labeled.returncode == 0, labeled.stderr
    rows = {r["version"]: r for r in json.loads(labeled.stdout)}
    assert rows[1]["role"] == "champion" and rows[1]["accuracy"] > 0.95
    listed = json.loads(cli(*mine, "batches", "churn", "--json").stdout)
    assert [b["batch_id"] for b in listed] == [batch_id]

    assert cli(*mine, "retire", "churn:1").stdout.strip() == "churn:1 retired"
    refused = cli(*mine, "score", "churn@champion", str(tmp_path / "in.parquet"), "--out",
                  str(tmp_path / "again.parquet"))
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "jupyter-mlops: error: churn@champion points at churn:1, which is retired: promote "
        "another version to @champion, or name churn:1 explicitly to audit it"]
    bad = cli(*mine, "score", "churn:2", str(tmp_path / "labels.csv"), "--out",
              str(tmp_path / "x.parquet"))
    assert bad.returncode == 2
    assert "missing column(s) a, b" in bad.stderr and "Traceback" not in bad.stderr
