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

ROUNDS = 9
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
        tracking._tracker.start_run("bench")  # as %load_ext does, before any fit
        tracking._tracker._env_thread.join()  # its environment snapshot is not the fit's cost
        try:
            def timed() -> float:
                t = time.perf_counter()
                LogisticRegression(max_iter=200).fit(X, y)
                return time.perf_counter() - t

            plain, logged, recording, hashing = [], [], [], []
            original_record = autolog._record

            def timed_record(*args: object) -> None:  # what autolog adds to a fit, read directly
                t = time.perf_counter()
                original_record(*args)
                recording.append(time.perf_counter() - t)

            autolog.autolog(True)
            timed()  # the first logged fit imports skops: a one-off, not a per-fit cost
            autolog._record = timed_record
            t = time.perf_counter()
            for _ in range(5):
                autolog._inputs((X, y), {})
            hashing.append((time.perf_counter() - t) / 5)
            timed()
            for _ in range(ROUNDS):  # interleaved, so drift of the machine hits both alike
                autolog.autolog(False)
                plain.append(timed())
                autolog.autolog(True)
                logged.append(timed())
            autolog.autolog(False)
            autolog._record = original_record
        finally:
            tracking._tracker.writer.close()
            tracking._tracker = saved
    ratio = statistics.median(logged) / statistics.median(plain)
    overhead = statistics.median(recording) / statistics.median(plain) * 100
    beyond = (statistics.median(recording) - hashing[0]) / statistics.median(plain) * 100
    if MLFLOW_PYTHON.exists():
        with tempfile.TemporaryDirectory() as scratch:  # MLflow writes ./mlruns artifacts
            done = subprocess.run([str(MLFLOW_PYTHON), "-c", MLFLOW_CODE], capture_output=True,
                                  text=True, timeout=900, cwd=scratch)
        theirs = (f"MLflow sklearn autolog: {float(done.stdout.split()[-1]):.2f}x the plain fit"
                  if done.returncode == 0 else "MLflow autolog failed to run")
    else:
        theirs = "mlflow not installed (`make bench-mlflow`)"
    return [Result(f"autolog: LogisticRegression.fit 100k x 20, overhead ({beyond:.1f}% beyond "
                   f"fingerprinting X and y)", overhead, "%", "<= 5 %", overhead <= 5,
                   f"plain fit median {statistics.median(plain) * 1000:.0f} ms; recording "
                   f"{statistics.median(recording) * 1000:.1f} ms; with/without ratio "
                   f"{ratio:.3f} (noise ±10%)", theirs)]
