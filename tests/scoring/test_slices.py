"""Chunks larger than a slice, as every real batch is: scikit-learn models predict them in
slices on one thread per core, OpenMP held to one thread meanwhile and restored after, with
the same predictions as the model's own ``predict`` on the whole batch in memory; other
models get the whole chunk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_info

import jupyter_mlops as mlops
from jupyter_mlops.scoring.slices import SLICE_ROWS, Slices
from tests.scoring.conftest import frame

ROWS = 2 * SLICE_ROWS + 123  # three slices, the last a short one


def _openmp_threads() -> list[int]:
    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"]


def test_sliced_predictions_equal_the_models_own_and_limits_are_restored():
    df = pd.DataFrame(np.random.default_rng(3).normal(size=(ROWS, 4)), columns=list("abcd"))
    model = HistGradientBoostingClassifier(max_iter=10).fit(df, df.a + df.b * df.c > 0)
    calls: list[tuple[int, int]] = []

    def part(start: int, stop: int) -> pd.DataFrame:
        calls.append((start, stop))
        return df.iloc[start:stop]

    before = _openmp_threads()
    with Slices([model]) as slices:
        assert set(_openmp_threads()) <= {1}
        got = slices.predict(model, ROWS, part)
    assert _openmp_threads() == before
    assert np.array_equal(got, model.predict(df))
    assert sorted(calls) == [(0, SLICE_ROWS), (SLICE_ROWS, 2 * SLICE_ROWS),
                             (2 * SLICE_ROWS, ROWS)]


def test_a_model_outside_scikit_learn_gets_the_whole_chunk():
    class Constant:
        def predict(self, X: pd.DataFrame) -> np.ndarray:
            return np.zeros(len(X))

    calls: list[tuple[int, int]] = []
    before = _openmp_threads()
    with Slices([Constant()]) as slices:
        assert _openmp_threads() == before  # nothing to slice: no limits either
        slices.predict(Constant(), ROWS, lambda a, b: calls.append((a, b)) or range(b - a))
    assert calls == [(0, ROWS)]


def test_score_in_slices_with_a_shadow_and_a_canary(store, churn, tmp_path):
    strong, weak = churn
    df = frame(ROWS, seed=4)
    path = tmp_path / "big.parquet"
    df.to_parquet(path)
    X = df.drop(columns="id")
    done = mlops.score("churn@champion", path, tmp_path / "out.parquet", shadow=["churn:2"],
                       keep=["id"])
    out = pq.read_table(tmp_path / "out.parquet").to_pandas()
    assert out["id"].tolist() == df["id"].tolist()
    assert np.array_equal(out["prediction"], strong.predict(X))
    shadow = pq.read_table(store.root / done.versions[1]["predictions"]).to_pandas()
    assert np.array_equal(shadow["row"], np.arange(ROWS))
    assert np.array_equal(shadow["prediction"], weak.predict(X))

    mlops.score("churn@champion", path, tmp_path / "canary.parquet", canary="churn:2:0.3",
                keep=["id"])
    out = pq.read_table(tmp_path / "canary.parquet").to_pandas()
    served_by_2 = (out["version"] == "churn:2").to_numpy()
    expected = np.where(served_by_2, weak.predict(X), strong.predict(X))
    assert 0.25 < served_by_2.mean() < 0.35
    assert np.array_equal(out["prediction"].astype(int), expected)
