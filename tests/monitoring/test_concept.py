import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from jupyter_mlops.monitoring.concept import performance_drift
from jupyter_mlops.monitoring.report import DriftReport


@pytest.fixture
def fitted():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(0, 0.5, 4000) > 0).astype(int)
    model = LogisticRegression().fit(X[:2000], y[:2000])
    return model, X, y, rng


def test_degradation_is_detected_with_a_bootstrap_ci(fitted):
    model, X, y, rng = fitted
    calm = performance_drift(model, (X[2000:3000], y[2000:3000]), (X[3000:], y[3000:]),
                             n_boot=300)
    assert not calm.degraded and calm.ci_low < 0 < calm.ci_high
    flipped = y[3000:].copy()
    flip = rng.random(1000) < 0.25  # the concept changed for a quarter of the cases
    flipped[flip] = 1 - flipped[flip]
    worse = performance_drift(model, (X[2000:3000], y[2000:3000]), (X[3000:], flipped),
                              n_boot=300)
    assert worse.degraded and worse.ci_high < 0 and worse.p_value < 0.01
    assert "DEGRADED" in repr(worse)
    auc = performance_drift(model, (X[2000:3000], y[2000:3000]), (X[3000:], flipped),
                            metric="roc_auc", n_boot=200)
    assert auc.degraded and auc.reference > auc.current


def test_without_labels_prediction_drift_is_tested(fitted):
    model, X, _, _ = fitted
    report = performance_drift(model, (X[:1000], None), (X[1000:2000] + 1.0, None))
    assert isinstance(report, DriftReport) and report.drifted_columns == ["probability"]
    with pytest.raises(ValueError, match="unknown metric"):
        performance_drift(model, (X, X[:, 0]), (X, X[:, 0]), metric="nope")
