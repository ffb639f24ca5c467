import pytest
from sklearn.linear_model import LinearRegression

from jupyter_mlops import artifacts
from jupyter_mlops.exceptions import StoreError


def test_put_is_content_addressed_and_verified_on_get(store):
    sha = artifacts.put(store, b"model bytes")
    assert artifacts.put(store, b"model bytes") == sha  # stored once
    assert artifacts.get(store, sha) == b"model bytes"
    artifacts.path_of(store, sha).write_bytes(b"tampered")
    with pytest.raises(StoreError, match="was modified after it was stored"):
        artifacts.get(store, sha)
    with pytest.raises(StoreError, match="is missing"):
        artifacts.get(store, "0" * 64)


def test_models_round_trip_and_pickles_need_trust():
    model = LinearRegression().fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])
    data, fmt = artifacts.dump_model(model)
    assert fmt == "skops"
    assert artifacts.load_model_bytes(data, fmt).coef_ == pytest.approx([1.0])

    data, fmt = artifacts.dump_model(Custom(3))  # a type from outside the known libraries
    assert fmt == "skops"
    with pytest.raises(StoreError, match=r"tests\.test_artifacts\.Custom.*trusted=True"):
        artifacts.load_model_bytes(data, fmt)
    assert artifacts.load_model_bytes(data, fmt, trusted=True).k == 3

    import io

    import joblib

    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    with pytest.raises(StoreError, match="joblib \\(pickle\\), which can run code"):
        artifacts.load_model_bytes(buffer.getvalue(), "joblib")
    assert artifacts.load_model_bytes(buffer.getvalue(), "joblib", trusted=True).coef_ == \
        pytest.approx([1.0])


class Custom:
    def __init__(self, k: int) -> None:
        self.k = k
