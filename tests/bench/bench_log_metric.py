"""1000 ``log_metric`` calls, against the same 1000 calls to MLflow on a local SQLite store."""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time

from jupyter_mlops.store import Store
from jupyter_mlops.tracking import Tracker
from tests.bench import Result
from tests.conftest import ROOT

N = 1000
MLFLOW_PYTHON = ROOT / ".venv-mlflow" / "bin" / "python"
MLFLOW_CODE = f"""
import tempfile, time, mlflow
with tempfile.TemporaryDirectory() as tmp:
    mlflow.set_tracking_uri(f"sqlite:///{{tmp}}/mlflow.db")
    with mlflow.start_run():
        mlflow.log_metric("warmup", 0.0)
        t = time.perf_counter()
        for i in range({N}):
            mlflow.log_metric("loss", 1.0 / (i + 1), step=i)
        print(time.perf_counter() - t)
"""


def _ours() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        tracker = Tracker(Store.open(tmp))
        tracker.start_run("bench")
        tracker._env_thread.join()  # the one-off environment snapshot is not a call's cost
        tracker.log_metrics({"warmup": 0.0})
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            for i in range(N):
                tracker.log_metrics({"loss": 1.0 / (i + 1)}, step=i)
            runs.append(time.perf_counter() - t)
        tracker.end_run()
        tracker.writer.close()
    return statistics.median(runs)


def run() -> list[Result]:
    ours = _ours() * 1000
    if MLFLOW_PYTHON.exists():
        done = subprocess.run([str(MLFLOW_PYTHON), "-c", MLFLOW_CODE], capture_output=True,
                              text=True, timeout=600)
        mlflow_ms = float(done.stdout.split()[-1]) * 1000 if done.returncode == 0 else None
    else:
        mlflow_ms = None
    if mlflow_ms is None:
        baseline, ratio = "mlflow not installed (`make bench-mlflow`)", "n/a"
    else:
        baseline = f"MLflow 1000 calls, SQLite: {mlflow_ms:.0f} ms"
        ratio = f"{mlflow_ms / ours:.0f}x faster than MLflow"
    return [Result("log_metric: 1000 calls", ours, "ms", "<= 20 ms", ours <= 20, baseline, ratio)]
