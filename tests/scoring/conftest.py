"""A store with two versions of a churn classifier (the first the champion) fitted on a
DataFrame with a categorical column, and the batch files they score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

import jupyter_mlops as mlops


def frame(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(rows, 3)), columns=["a", "b", "c"])
    df["plan"] = rng.choice(["basic", "pro"], rows)
    df["id"] = np.arange(rows)
    return df


def truth(df: pd.DataFrame) -> pd.Series:
    return ((df.a + (df.plan == "pro")) > 0.5).astype(int)


def model(C: float) -> object:
    encode = make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["plan"]),
                                     remainder="passthrough")
    return make_pipeline(encode, LogisticRegression(C=C))



@pytest.fixture
def churn(store, tracker):
    """churn:1 (champion, strong) and churn:2 (weak), signatures from an input example."""
    train = frame(2000, seed=1)
    X = train.drop(columns="id")
    strong, weak = model(1.0).fit(X, truth(train)), model(0.0005).fit(X, truth(train))
    mlops.register(strong, "churn", metrics={"f1": 0.9}, input_example=X)
    mlops.register(weak, "churn", metrics={"f1": 0.95}, input_example=X)
    mlops.promote("churn", 1)
    return strong, weak


@pytest.fixture
def batch(tmp_path):
    """A Parquet batch of 2,500 rows (more than the chunk sizes the tests use)."""
    df = frame(2500, seed=2)
    path = tmp_path / "batch.parquet"
    df.to_parquet(path)
    return df, path
