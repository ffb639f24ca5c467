"""Multiclass CBPE: the kernels against scikit-learn and their intervals' coverage, the
per-class calibration and its correction, a real four-class model under covariate shift
through ``mlops.performance`` and its view, and one clear error for what makes no sense."""

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

import jupyter_mlops as mlops
from jupyter_mlops.exceptions import BadBatch
from jupyter_mlops.monitoring import cbpe_multiclass as mc
from tests.bench.performance_data import make_multiclass
from tests.monitoring.test_performance import assert_nominal_coverage, held_by

CLASSES = ["a", "b", "c", "d"]


def _batch(seed, n=2000, k=4):
    """Calibrated by construction: each label is drawn from its row's probabilities."""
    rng = np.random.default_rng(seed)
    p = np.exp(rng.normal(0, 1.5, (n, k)))
    p /= p.sum(axis=1, keepdims=True)
    return p, np.minimum((rng.random((n, 1)) > np.cumsum(p, axis=1)).sum(axis=1), k - 1)


def test_realized_metrics_are_scikit_learns():
    p, y = _batch(1)
    p = np.round(p, 2)  # ties, which ROC AUC averages
    p[:, -1] = 1 - p[:, :-1].sum(axis=1)
    found = mc.realized_multiclass(p, y)
    assert found["accuracy"] == pytest.approx(skm.accuracy_score(y, p.argmax(axis=1)))
    assert found["f1"] == pytest.approx(skm.f1_score(y, p.argmax(axis=1), average="macro"))
    assert found["roc_auc"] == pytest.approx(skm.roc_auc_score(y, p, multi_class="ovr"))
    assert np.isnan(mc.realized_multiclass(p, np.minimum(y, 2))["roc_auc"])  # a class absent


def test_the_interval_covers_the_realized_value_at_about_its_nominal_rate():
    assert_nominal_coverage(lambda seed: _batch(seed, n=1000),
                            lambda p: mc.estimate_multiclass(p, p, confidence=0.9),
                            mc.realized_multiclass)


def test_per_class_correction_repairs_a_miscalibrated_model_and_rows_sum_to_one():
    p, y = _batch(5, n=20_000)
    skewed = p**2 / (p**2).sum(axis=1, keepdims=True)  # overconfident
    found = mc.calibrate_multiclass(skewed, y, CLASSES)
    assert found.verdict == "corrected" and found.ece > 0.05
    report = found.report()
    assert report["class"].tolist() == CLASSES and report["corrected"].all()
    assert (report["ece_corrected"] < report["ece"] / 2).all()
    again = mc.from_dict(found.to_dict())  # as stored and read back
    assert isinstance(again, mc.MulticlassCalibration) and again.classes == CLASSES
    q, z = _batch(6, n=10_000)
    scores = q**2 / (q**2).sum(axis=1, keepdims=True)
    assert np.allclose(again.apply(scores).sum(axis=1), 1)
    truth = mc.realized_multiclass(scores, z)
    raw = {e.metric: e for e in mc.estimate_multiclass(scores, scores)}
    fixed = {e.metric: e for e in mc.estimate_multiclass(scores, again.apply(scores))}
    for metric in ("accuracy", "f1"):
        assert fixed[metric].ci_low <= truth[metric] <= fixed[metric].ci_high
        assert abs(raw[metric].estimated - truth[metric]) > \
            3 * abs(fixed[metric].estimated - truth[metric])


def _labelled(rows, shift, seed):
    x, y = make_multiclass(rows, shift=shift, seed=seed)
    return pd.DataFrame(x, columns=[f"x{i}" for i in range(x.shape[1])]), \
        pd.Series(np.asarray(CLASSES)[y])


@pytest.fixture(scope="module")
def model():
    """Quadratic features catch the data's interaction; single-threaded, so quick on a
    loaded machine (gradient boosting's OpenMP threads crawl there)."""
    return make_pipeline(PolynomialFeatures(2), StandardScaler(),
                         LogisticRegression(max_iter=500)).fit(*_labelled(10_000, 0, 0))


def test_a_four_class_model_under_shift_is_tracked_within_its_interval(store, tracked, model):
    first = mlops.performance(model, *_labelled(3000, 0, 10), reference=_labelled(20_000, 0, 1),
                              name="zoo")
    assert first.threshold is None and first.calibration.verdict in ("calibrated", "corrected")
    assert first.calibration.report()["class"].tolist() == CLASSES
    assert "one vs rest over 4 classes" in first.summary() and "ece_noise" in \
        first._repr_html_()
    chunks = [_labelled(3000, s, 20 + i) for i, s in enumerate(np.linspace(0, 1.5, 8))]
    found = [mlops.performance(model, x, name="zoo") for x, _ in chunks]  # labels later
    labelled = [mlops.performance(model, x, y, name="zoo") for x, y in chunks]
    for before, after in zip(found, labelled, strict=True):
        assert [e.estimated for e in before.estimates] == [e.estimated for e in after.estimates]
    accuracy = [r.estimates[0] for r in labelled]
    assert accuracy[0].realized - accuracy[-1].realized > 0.1  # the shift bites
    assert accuracy[0].estimated - accuracy[-1].estimated > 0.1  # and the estimate sees it
    for metric in range(3):
        held = sum(bool(r.estimates[metric].covered) for r in labelled)
        assert held >= 5, (metric, [r.estimates[metric] for r in labelled])
        error = np.mean([abs(r.estimates[metric].estimated - r.estimates[metric].realized)
                         for r in labelled])
        assert error < 0.025, (metric, error)
    history = mlops.performance_history("zoo")
    assert history["batch"].nunique() == 9 and set(history.metric) == {"accuracy", "f1",
                                                                        "roc_auc"}
    assert history["realized"].notna().all()  # the first batch came with its labels
    view = mlops.widgets.performance("zoo", metric="f1")  # the chart as for a binary model
    assert len(view.chart.data[2].y) == 9 and view.chart.layout.yaxis.title.text == "f1"


class _Unnormalised:
    """A classifier whose rows of probabilities do not sum to 1 (one-vs-rest sigmoids)."""

    classes_ = np.array(CLASSES)

    def predict_proba(self, X):
        return np.full((len(X), 4), 0.4)


def test_what_makes_no_sense_gets_one_clear_error(store, tracked, model):
    X, y = _labelled(2000, 0, 2)
    three = LogisticRegression().fit(X, y.replace("d", "c"))
    cases = [
        (lambda: mlops.performance(LinearRegression().fit(X, X.x0), X, reference=(X, y)),
         "LinearRegression has no predict_proba"),
        (lambda: mlops.performance(_Unnormalised(), X, reference=(X, y)),
         "rows must sum to 1, but 2,000 of the 2,000 rows of the reference do not "
         r"\(row 0 sums to 1.6\)"),
        (lambda: mlops.performance(model, X, reference=(X, y.replace("b", "a"))),
         "the reference labels have no row of class b: .* every class"),
        (lambda: mlops.performance(model, X, reference=(X, y), threshold=0.3),
         "threshold applies to binary classifiers only: this model has 4 classes"),
        (lambda: mlops.performance(model, X, y.replace("a", "z"), reference=(X, y)),
         "values the model does not predict: z"),
    ]
    mlops.performance(three, X, reference=(X, y.replace("d", "c")), name="kept")
    cases.append((lambda: mlops.performance(model, X, name="kept"),
                  "calibration stored for kept is of a model of 3 classes, this one has 4"))
    for call, message in cases:
        with pytest.raises(BadBatch, match=message) as found:
            call()
        assert found.value._render_traceback_() == [f"BadBatch: {found.value}"]


def test_a_small_references_calibration_error_is_in_the_interval():
    """Under-confident scores (the truth's logits halved) corrected class by class on 1,500
    reference rows, then batches of 4,000: with the corrections' own error the 90%
    intervals hold about 90%, without it far less."""
    def draw(rng, n):
        logits = rng.normal(0, 1.5, (n, 3))
        truth = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        labels = np.minimum((rng.random((n, 1)) > np.cumsum(truth, axis=1)).sum(axis=1), 2)
        return np.exp(logits / 2) / np.exp(logits / 2).sum(axis=1, keepdims=True), labels

    def coverage(with_error: bool, seeds: int = 150) -> float:
        held = []
        for seed in range(seeds):
            rng = np.random.default_rng(2000 + seed)
            fitted = mc.calibrate_multiclass(*draw(rng, 1500), ["a", "b", "c"], seed=seed)
            scores, labels = draw(rng, 4000)
            found = mc.estimate_multiclass(scores, fitted.apply(scores), confidence=0.9,
                                           calibration=fitted if with_error else None)
            held += held_by(found, mc.realized_multiclass(scores, labels)).values()
        return float(np.mean(held))

    assert 0.84 <= coverage(True) <= 0.96
    assert coverage(False) < 0.8
