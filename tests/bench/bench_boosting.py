"""Autolog overhead on XGBoost's and LightGBM's own ``train``: 100 rounds on 20k x 20 with a
validation set of 5k (so 100 steps of two metric histories), against the same train with
autolog off, interleaved, same run. The figure is what recording costs, read directly (the
fit record with the booster stored, the histories, a Dataset's fingerprint at train time) as
a share of the plain train; the wall-clock with/without ratio is printed beside it. One
thread each: on a shared 2-core machine the libraries' thread pools make a train's time
vary several-fold. Recording costs per tree (storing the booster) and per iteration (the
histories), not per row, so its share grows as the data shrinks."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from jupyter_mlops.capture import autolog, autolog_boosting
from jupyter_mlops.store import Store
from jupyter_mlops.tracking import Tracker
from tests.bench import Result

ROUNDS = 5
#: wall seconds of each piece of recording, summed per train
RECORDING: list[float] = []


def _timing(function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            RECORDING.append(time.perf_counter() - t)
    return timed


def _trains(X: Any, y: Any) -> dict[str, Callable[[], Any]]:
    import lightgbm as lgb
    import xgboost as xgb

    n = 20_000
    d, v = xgb.DMatrix(X[:n], label=y[:n]), xgb.DMatrix(X[n:], label=y[n:])
    params = {"objective": "binary:logistic", "eval_metric": ["logloss", "auc"],
              "max_depth": 6, "nthread": 1}

    def xgb_train() -> Any:
        return xgb.train(params, d, 100, evals=[(v, "valid")], verbose_eval=False)

    def lgb_train() -> Any:  # a fresh Dataset each time, as a notebook cell makes one
        train = lgb.Dataset(X[:n], label=y[:n])
        valid = lgb.Dataset(X[n:], label=y[n:], reference=train)
        return lgb.train({"objective": "binary", "metric": ["binary_logloss", "auc"],
                          "verbose": -1, "num_threads": 1}, train, 100, valid_sets=[valid])

    return {"xgboost": xgb_train, "lightgbm": lgb_train}


def run() -> list[Result]:
    from jupyter_mlops import tracking

    rng = np.random.default_rng(0)
    X = rng.normal(size=(25_000, 20))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(size=25_000) > 0).astype(int)
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        saved, tracking._tracker = tracking._tracker, Tracker(Store.open(tmp))
        tracking._tracker.start_run("bench")
        tracking._tracker._env_thread.join()
        autolog_boosting.emit = _timing(autolog_boosting.emit)  # type: ignore[assignment]
        autolog_boosting.record_history = _timing(  # type: ignore[assignment]
            autolog_boosting.record_history)
        autolog_boosting._Inputs = _timing(autolog_boosting._Inputs)  # type: ignore[misc]
        try:
            autolog.install_when_imported()
            for library, train in _trains(X, y).items():
                autolog.autolog(True)
                train()  # the first: imports, caches
                plain, logged, recording = [], [], []
                for _ in range(ROUNDS):  # interleaved: the machine's drift hits both alike
                    autolog.autolog(False)
                    t = time.perf_counter()
                    train()
                    plain.append(time.perf_counter() - t)
                    autolog.autolog(True)
                    RECORDING.clear()
                    t = time.perf_counter()
                    train()
                    logged.append(time.perf_counter() - t)
                    recording.append(sum(RECORDING))
                autolog.autolog(False)
                share = statistics.median(recording) / statistics.median(plain) * 100
                found.append(Result(
                    f"autolog: {library} train, 100 rounds on 20k x 20 with a 5k validation "
                    f"set, overhead", share, "%", "<= 5 %", share <= 5,
                    f"plain train median {statistics.median(plain) * 1000:.0f} ms; recording "
                    f"{statistics.median(recording) * 1000:.1f} ms",
                    f"with/without {statistics.median(logged) / statistics.median(plain):.3f}"
                    f" (noise ±10%)"))
        finally:
            tracking._tracker.writer.close()
            tracking._tracker = saved
    return found
