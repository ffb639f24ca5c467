"""CBPE kernels: estimates against the realized metrics on calibrated synthetic data, the
intervals' coverage over seeds, realized metrics against scikit-learn, and the calibration
check and its isotonic correction."""

import numpy as np
import pytest
from sklearn import metrics as skm

from jupyter_mlops.monitoring import cbpe


def _batch(seed, n=2000):
    """Calibrated by construction: each label is drawn with its score's probability."""
    rng = np.random.default_rng(seed)
    p = rng.beta(2, 2, n)
    return p, rng.random(n) < p


def test_realized_metrics_are_scikit_learns():
    p, y = _batch(1)
    p = np.round(p, 2)  # ties, which ROC AUC averages
    found = cbpe.realized(p, y, threshold=0.4)
    assert found["accuracy"] == pytest.approx(skm.accuracy_score(y, p >= 0.4))
    assert found["f1"] == pytest.approx(skm.f1_score(y, p >= 0.4))
    assert found["roc_auc"] == pytest.approx(skm.roc_auc_score(y, p))
    assert np.isnan(cbpe.realized(p, np.zeros(p.size, bool))["roc_auc"])  # one class only


def test_estimates_match_realized_within_the_interval_on_calibrated_data():
    p, y = _batch(2, n=20_000)
    truth = cbpe.realized(p, y)
    for e in cbpe.estimate(p, p):
        assert e.ci_low < e.estimated < e.ci_high
        assert e.ci_high - e.ci_low < 0.03, e  # 20k rows: a narrow interval
        assert e.ci_low <= truth[e.metric] <= e.ci_high, (e, truth[e.metric])


def assert_nominal_coverage(draw, estimate, realized, seeds=300):
    """Over ``seeds`` calibrated batches, each metric's 90% interval holds the realized
    value 84-96% of the time (sd ~1.7%); shared with the multiclass tests."""
    covered = {m: 0 for m in cbpe.METRICS}
    for seed in range(seeds):
        p, y = draw(100 + seed)
        for metric, held in held_by(estimate(p), realized(p, y)).items():
            covered[metric] += held
    for metric, count in covered.items():
        assert 0.84 <= count / seeds <= 0.96, (metric, count / seeds)


def held_by(estimates, truth):
    """Whether each metric's interval held the realized value (shared with the multiclass
    tests)."""
    for e in estimates:
        e.realized = truth[e.metric]
    return {e.metric: bool(e.covered) for e in estimates}


def test_the_interval_covers_the_realized_value_at_about_its_nominal_rate():
    assert_nominal_coverage(lambda seed: _batch(seed, n=1000),
                            lambda p: cbpe.estimate(p, p, confidence=0.9), cbpe.realized)


def test_a_wider_confidence_gives_a_wider_interval_and_the_same_batch_the_same_one():
    p, _ = _batch(3)
    narrow, wide = cbpe.estimate(p, p, confidence=0.5), cbpe.estimate(p, p, confidence=0.99)
    for a, b in zip(narrow, wide, strict=True):
        assert b.ci_high - b.ci_low > 2 * (a.ci_high - a.ci_low)
    assert cbpe.estimate(p, p) == cbpe.estimate(p, p)


def test_calibrated_scores_pass_the_check_uncorrected():
    p, y = _batch(4, n=10_000)
    found = cbpe.calibrate(p, y)
    assert found.verdict == "calibrated" and not found.corrected
    assert found.ece <= found.ece_noise and "well calibrated" in found.summary()
    assert np.array_equal(found.apply(p), p)
    assert sum(b["count"] for b in found.reliability) == p.size


def test_isotonic_correction_repairs_a_miscalibrated_model():
    p, y = _batch(5, n=10_000)
    skewed = p**3  # overconfident towards the negative class
    found = cbpe.calibrate(skewed, y)
    assert found.verdict == "corrected" and found.ece > 0.1
    assert found.ece_corrected < found.ece / 4
    again = cbpe.Calibration.from_dict(found.to_dict())  # as stored and read back
    q, z = _batch(6, n=10_000)
    scores = q**3
    truth = cbpe.realized(scores, z, threshold=0.125)
    raw = {e.metric: e for e in cbpe.estimate(scores, scores, 0.125)}
    fixed = {e.metric: e for e in cbpe.estimate(scores, again.apply(scores), 0.125)}
    for metric in ("accuracy", "f1"):
        assert abs(fixed[metric].estimated - truth[metric]) < 0.02
        assert abs(raw[metric].estimated - truth[metric]) > \
            3 * abs(fixed[metric].estimated - truth[metric])


def test_a_small_references_calibration_error_is_in_the_interval():
    """A miscalibrated model (truth ``s²``) corrected on 1,000 reference rows, then batches
    of 4,000: the correction's own error is as large as the labels' spread, so intervals
    without it hold far less than their 90%; with it, about 90%."""
    def coverage(with_error: bool, seeds: int = 300) -> float:
        held = []
        for seed in range(seeds):
            rng = np.random.default_rng(1000 + seed)
            ref = rng.beta(2, 2, 1000)
            fitted = cbpe.calibrate(ref, rng.random(ref.size) < ref**2, seed=seed)
            s = rng.beta(2, 2, 4000)
            found = cbpe.estimate(s, fitted.apply(s), confidence=0.9,
                                  calibration=fitted if with_error else None)
            held += held_by(found, cbpe.realized(s, rng.random(s.size) < s**2)).values()
        return float(np.mean(held))

    assert 0.84 <= coverage(True) <= 0.96
    assert coverage(False) < 0.8


def test_a_calibration_stored_before_its_blocks_were_kept_still_estimates():
    """Stored before this release: no blocks, so the intervals are the labels' spread only."""
    p, y = _batch(5, n=3000)
    fitted = cbpe.calibrate(p**2, y)
    old = cbpe.Calibration.from_dict({k: v for k, v in fitted.to_dict().items()
                                      if not k.startswith("block_")})
    s = _batch(6)[0] ** 2
    now = cbpe.estimate(s, fitted.apply(s), calibration=fitted)
    before = cbpe.estimate(s, old.apply(s), calibration=old)
    for a, b in zip(now, before, strict=True):
        assert a.estimated == b.estimated and b.ci_low > a.ci_low and b.ci_high < a.ci_high
