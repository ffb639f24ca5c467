"""``mlops.performance`` through a real store: the calibration stored with the model version,
estimates then realized values of the same batch as one history row, and one clear error
for each kind of bad input."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import BadBatch
from jupyter_mlops.store import queries
from jupyter_mlops.store.ask import FRAMES


def _data(seed, n=3000, shift=0.0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(shift, 1, (n, 3)), columns=["a", "b", "c"])
    p = 1 / (1 + np.exp(-(1.5 * X.a - X.b)))
    return X, pd.Series(np.where(rng.random(n) < p, "yes", "no"))


@pytest.fixture
def model():
    return LogisticRegression().fit(*_data(0))


def test_estimate_first_labels_later_one_row_per_batch_and_metric(store, tracked, model):
    mlops.register(model, "churn", metrics={})
    mlops.promote("churn", 1, "champion")
    X, y = _data(2, shift=0.8)
    first = mlops.performance("churn@champion", X, reference=_data(1))
    assert first.model == "churn:1" and first.calibration.verdict == "calibrated"
    assert all(e.realized is None for e in first.estimates)
    later = mlops.performance("churn:1", X, y)  # the stored calibration: no reference
    assert [e.estimated for e in later.estimates] == [e.estimated for e in first.estimates]
    other = mlops.performance("churn", _data(3)[0])
    history = mlops.performance_history("churn@champion")
    assert history.columns.tolist() == [c for c, _ in FRAMES["mlops.performance_history()"]]
    assert history["batch"].nunique() == 2 and len(history) == 6
    row = history[(history.batch == first.batch) & (history.metric == "accuracy")].iloc[0]
    assert row.estimated == pytest.approx(first.estimates[0].estimated)
    assert row.realized == pytest.approx(later.estimates[0].realized)
    assert row.ci_low <= row.realized <= row.ci_high  # a well-specified model
    assert row.created < row.realized_at and row.event_id == first.id
    assert history[history.batch == other.batch]["realized"].isna().all()
    assert mlops.performance_history("churn", metric="f1", limit=1)["batch"].tolist() == [
        other.batch]
    assert mlops.performance_history("nothing").empty
    reference = queries.performance_reference(store, "churn:1")
    assert reference is not None and '"columns":["a","b","c"]' in reference[1]


def test_an_object_keeps_its_history_under_its_name(store, tracked, model):
    X, y = _data(4)
    found = mlops.performance(model, X, y, reference=_data(1), name="lr")
    assert found.model == "lr" and {e.metric for e in found.estimates} == {
        "accuracy", "f1", "roc_auc"}
    assert all(e.covered is not None for e in found.estimates)
    assert "realized" in found.summary() and "<table" in found._repr_html_()
    assert mlops.performance_history("lr")["realized"].notna().all()
    assert mlops.performance(model, X, reference=_data(1)).model == "LogisticRegression"


class _NoScore:
    """A classifier whose probabilities are all missing (a broken upstream transform)."""

    classes_ = np.array(["no", "yes"])

    def predict_proba(self, X):
        return np.full((len(X), 2), np.nan)


def test_bad_input_gets_one_clear_error(store, tracked, model):
    X, y = _data(5)
    mlops.performance(model, X, reference=_data(1), name="lr")
    cases = [
        (lambda: mlops.performance(model, X.drop(columns=["b"]), name="lr"),
         "lacks columns the model was calibrated with: b"),
        (lambda: mlops.performance(model, X.iloc[:0], name="lr"), "has no rows"),
        (lambda: mlops.performance(model, X, y[:10], name="lr"), "10 values for 3,000 rows"),
        (lambda: mlops.performance(model, X, y.replace("yes", "maybe"), name="lr"),
         "values the model does not predict: maybe"),
        (lambda: mlops.performance(model, X * np.nan, name="lr"),
         "could not score the batch: ValueError"),
        (lambda: mlops.performance(_NoScore(), X, reference=_data(1)), "all NaN"),
        (lambda: mlops.performance(LinearRegression().fit(X, X.a), X),
         "LinearRegression has no predict_proba"),
        (lambda: mlops.performance(model, X, name="unknown"),
         "no calibration stored for unknown: pass reference"),
        (lambda: mlops.performance(model, [1, 2], name="lr"), "not a list"),
        (lambda: mlops.performance(model, X, name="lr", confidence=95), "between 0 and 1"),
    ]
    for call, message in cases:
        with pytest.raises(BadBatch, match=message) as found:
            call()
        assert found.value._render_traceback_() == [f"BadBatch: {found.value}"]
