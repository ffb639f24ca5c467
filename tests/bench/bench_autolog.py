"""Autolog overhead on LogisticRegression.fit (100k x 20) against the plain fit, same run;
MLflow's sklearn autolog on the same fit when `make bench-mlflow` installed it. And the cost
per fit of small fits: a user's loop of 150 fits (150 records) and a leave-one-out
cross_val_score over the same 150 rows (one record, its 150 internal fits none)."""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from jupyter_mlops.capture import autolog, fit_records
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


#: (wall, CPU) seconds of each record autolog made: what it adds to a fit, read directly
RECORDING: list[tuple[float, float]] = []


def _time_recording() -> None:
    """Time the two record functions; autolog's wrappers call what these names hold when it
    first wraps a class or function."""
    def timing(record: Callable[..., None]) -> Callable[..., None]:
        def timed(*args: object) -> None:
            wall, cpu = time.perf_counter(), time.thread_time()
            record(*args)
            RECORDING.append((time.perf_counter() - wall, time.thread_time() - cpu))
        return timed

    autolog.record_fit = timing(autolog.record_fit)  # type: ignore[assignment]
    autolog.record_cross_validation = timing(  # type: ignore[assignment]
        autolog.record_cross_validation)


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

            plain, logged, hashing = [], [], []
            _time_recording()  # before autolog wraps the classes with these functions
            autolog.autolog(True)
            timed()  # the first logged fit imports skops: a one-off, not a per-fit cost
            t = time.perf_counter()
            for _ in range(5):
                fit_records.describe_inputs((X, y), {})
            hashing.append((time.perf_counter() - t) / 5)
            timed()
            RECORDING.clear()
            for _ in range(ROUNDS):  # interleaved, so drift of the machine hits both alike
                autolog.autolog(False)
                plain.append(timed())
                autolog.autolog(True)
                logged.append(timed())
            autolog.autolog(False)
            recording = [wall for wall, _ in RECORDING]
            small = _small_fits(Path(tmp))
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
                   f"{ratio:.3f} (noise ±10%)", theirs), *small]


def _small_fits(root: Path) -> list[Result]:
    """150 fits of 150 x 4 (iris-sized) in a user's loop (150 records) and inside a
    leave-one-out cross_val_score (one record): what recording adds per fit, read directly
    as this thread's CPU time (a small fit's wall time is too noisy on a shared machine for a
    with/without difference)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import LeaveOneOut, cross_val_score

    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 4))
    y = (X[:, 0] + rng.normal(size=150) > 0).astype(int)

    def loop() -> None:
        for i in range(150):
            LogisticRegression(C=1 + i / 150).fit(X, y)

    def loo() -> None:
        cross_val_score(LogisticRegression(), X, y, cv=LeaveOneOut())

    def stored() -> int:
        return sum(p.stat().st_size for p in (root / "artifacts").rglob("*") if p.is_file())

    found = []
    for label, calls in (("a loop of 150 fits of 150 x 4", loop),
                         ("leave-one-out cross_val_score over 150 rows", loo)):
        t = time.perf_counter()
        calls()
        plain = time.perf_counter() - t
        RECORDING.clear()
        size = stored()
        autolog.autolog(True)
        t = time.perf_counter()
        calls()
        logged = time.perf_counter() - t
        autolog.autolog(False)
        per_fit = sum(cpu for _, cpu in RECORDING) / 150 * 1000
        found.append(Result(
            f"autolog: {label}, recording per fit (CPU)", per_fit, "ms", "<= 2 ms",
            per_fit <= 2, f"{len(RECORDING)} record(s), {(stored() - size) / 1024:.0f} KiB "
            f"of artifacts; plain fit {plain / 150 * 1000:.2f} ms",
            f"with/without {logged / plain:.2f}x (noisy)"))
    return found
