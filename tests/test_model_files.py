import pytest
from sklearn.linear_model import LinearRegression

from jupyter_mlops import model_files
from jupyter_mlops.exceptions import StoreError


def test_models_round_trip_and_pickles_need_trust():
    model = LinearRegression().fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])
    data, fmt = model_files.dump_model(model)
    assert fmt == "skops"
    assert model_files.load_model_bytes(data, fmt).coef_ == pytest.approx([1.0])

    data, fmt = model_files.dump_model(Custom(3))  # a type from outside the known libraries
    assert fmt == "skops"
    with pytest.raises(StoreError, match=r"tests\.test_model_files\.Custom.*trusted=True"):
        model_files.load_model_bytes(data, fmt)
    assert model_files.load_model_bytes(data, fmt, trusted=True).k == 3

    import io

    import joblib

    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    with pytest.raises(StoreError, match="joblib \\(pickle\\), which can run code"):
        model_files.load_model_bytes(buffer.getvalue(), "joblib")
    assert model_files.load_model_bytes(buffer.getvalue(), "joblib", trusted=True).coef_ == \
        pytest.approx([1.0])


class Custom:
    def __init__(self, k: int) -> None:
        self.k = k
