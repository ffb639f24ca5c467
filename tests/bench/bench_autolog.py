"""Autolog overhead on LogisticRegression.fit (100k x 20) against the plain fit, same run;
MLflow's sklearn autolog on the same fit when `make bench-mlflow` installed it."""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time

import numpy as np

from jupyter_mlops.capture import autolog
from jupyter_mlops.store import Store
from jupyter_mlops.tracking import Tracker
from tests.bench import Result
from tests.bench.bench_log_metric import MLFLOW_PYTHON

ROUNDS = 5
MLFLOW_CODE = """
import tempfile, time, statistics, numpy as np, mlflow
from sklearn.linear_model import LogisticRegression
rng = np.random.default_rng(0)
X = rng.normal(size=(100_000, 20)); y = (X[:, 0] + rng.normal(size=100_000) > 0).astype(int)
with tempfile.TemporaryDirectory() as tmp:
    mlflow.set_tracking_uri(f"sqlite:///{tmp}/mlflow.db")
    def timed():
        t = time.perf_counter(); LogisticRegression(max_iter=200).fit(X, y)
        return time.perf_counter() - t
    timed()
    plain = statistics.median(timed() for _ in range(3))
    mlflow.sklearn.autolog(silent=True)
    timed()
    logged = statistics.median(timed() for _ in range(3))
print(logged / plain)
"""


def run() -> list[Result]:
    from sklearn.linear_model import LogisticRegression

    from jupyter_mlops import tracking

    rng = np.random.default_rng(0)
    X = rng.normal(size=(100_000, 20))
    y = (X[:, 0] + rng.normal(size=100_000) > 0).astype(int)
    with tempfile.TemporaryDirectory() as tmp:
        saved, tracking._tracker = tracking._tracker, Tracker(Store.open(tmp))
        try:
            def timed() -> float:
                t = time.perf_counter()
                LogisticRegression(max_iter=200).fit(X, y)
                return time.perf_counter() - t

            plain, logged = [], []
            timed()
            for _ in range(ROUNDS):  # interleaved, so drift of the machine hits both alike
                autolog.autolog(False)
                plain.append(timed())
                autolog.autolog(True)
                logged.append(timed())
            autolog.autolog(False)
        finally:
            tracking._tracker.writer.close()
            tracking._tracker = saved
    ratio = statistics.median(logged) / statistics.median(plain)
    overhead = (ratio - 1) * 100
    if MLFLOW_PYTHON.exists():
        done = subprocess.run([str(MLFLOW_PYTHON), "-c", MLFLOW_CODE], capture_output=True,
                              text=True, timeout=900)
        theirs = (f"MLflow sklearn autolog: {float(done.stdout.split()[-1]):.2f}x the plain fit"
                  if done.returncode == 0 else "MLflow autolog failed to run")
    else:
        theirs = "mlflow not installed (`make bench-mlflow`)"
    return [Result("autolog: LogisticRegression.fit 100k x 20, overhead", overhead, "%",
                   "<= 5 %", overhead <= 5,
                   f"plain fit median {statistics.median(plain) * 1000:.0f} ms", theirs)]
