"""Confidence-based performance estimation (CBPE) for binary classifiers: numpy kernels.

A calibrated probability ``p`` says how often a prediction is right, so a batch's calibrated
probabilities give the distribution of its realized metrics before any label arrives: each
label an independent Bernoulli(``p``). The estimate is that distribution's mean and the
interval its central ``confidence`` range, from exact moments and the normal approximation
(analytic and deterministic: a batch of 5,000 rows takes about a millisecond), widened by
the calibration's own error (:meth:`Calibration.errors`: the reference is a sample):

- **accuracy**: the number of correct predictions is Poisson-binomial (a prediction is right
  with probability ``p`` or ``1 - p``): its exact mean and variance.
- **F1**: true positives ``A`` (labels among the ``n1`` predicted positives) and false
  negatives ``B`` (among the predicted negatives) are independent Poisson-binomials;
  ``F1 = 2A / (A + B + n1)`` at their means, its variance by the delta method.
- **ROC AUC**: with the scores' mid-ranks ``r``, ``AUC = (R - N(N+1)/2) / (N(n-N))`` where
  ``R = Σ r·y`` and ``N = Σ y``: at their means, its variance by the delta method from their
  exact variances and covariance. Ranks come from the raw scores (what the realized AUC
  ranks by), probabilities from the calibration.

Calibration is checked on held-out labelled reference data: the expected calibration error
(ECE, equal-count bins) against its 95th percentile under perfect calibration (the noise a
sample of that size shows anyway), which gives the verdict. An isotonic map (scikit-learn)
is fitted too, its ECE measured out of fold, and used if that is lower (as NannyML decides):
even scores within noise usually gain a little, and a miscalibrated model a lot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

#: The metrics estimated, in the order reported.
METRICS = ("accuracy", "f1", "roc_auc")
#: Equal-count bins of the reliability table.
BINS = 10


@dataclass
class Calibration:
    """What a model's reference data taught: how to map its scores to probabilities and how
    well calibrated they were (kept with the model, so later batches need no reference)."""

    x: list[float] = field(default_factory=list)  # isotonic knots (empty: identity)
    y: list[float] = field(default_factory=list)
    ece: float = float("nan")  # of the raw scores on the reference
    ece_noise: float = float("nan")  # its 95th percentile under perfect calibration
    ece_corrected: float | None = None  # out of fold, when a correction was fitted
    corrected: bool = False
    reliability: list[dict[str, float]] = field(default_factory=list)  # per bin
    n_reference: int = 0
    # the isotonic fit's blocks on the reference (where each starts, its rows, its rate):
    # how well the reference pins the true probability at each score (empty: not known)
    block_starts: list[float] = field(default_factory=list)
    block_rows: list[int] = field(default_factory=list)
    block_rates: list[float] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """calibrated (ECE within sampling noise), else corrected or miscalibrated."""
        if self.ece <= self.ece_noise:
            return "calibrated"
        return "corrected" if self.corrected else "miscalibrated"

    def summary(self) -> str:
        text = (f"ECE {self.ece:.3f} on {self.n_reference:,} reference rows "
                f"(noise level {self.ece_noise:.3f}): ")
        fix = f"isotonic correction (ECE {self.ece_corrected or 0:.3f} out of fold)"
        if self.verdict == "calibrated":
            return text + "well calibrated" + (f"; refined by {fix}" if self.corrected else "")
        if self.corrected:
            return text + f"miscalibrated, corrected by {fix}"
        return text + "miscalibrated; isotonic correction did not help out of fold " \
                      "(estimates may be biased)"

    def apply(self, scores: np.ndarray) -> np.ndarray:
        if not self.corrected:
            return scores
        return np.interp(scores, np.asarray(self.x), np.asarray(self.y))

    def errors(self, scores: np.ndarray) -> Callable[[np.ndarray], float]:
        """For a batch's ``scores``: the variance an estimate takes from the calibration's
        own error, given its gradient in each row's calibrated probability. Rows in one
        block of the reference share its rate's error (binomial, ``rate (1 - rate) / rows``);
        blocks are independent."""
        if not self.block_starts:
            return lambda gradient: 0.0
        size = len(self.block_starts)
        block = np.clip(np.searchsorted(self.block_starts, scores, side="right") - 1, 0,
                        size - 1)
        rate = np.asarray(self.block_rates)
        weight = rate * (1 - rate) / np.asarray(self.block_rows)
        return lambda gradient: float(np.bincount(block, gradient, size) ** 2 @ weight)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Calibration:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def _bins(scores: np.ndarray) -> np.ndarray:
    """Bin index of each score: equal-count bins in score order."""
    index = np.empty(scores.size, dtype=np.intp)
    index[np.argsort(scores)] = np.arange(scores.size) * BINS // max(scores.size, 1)
    return index


def reliability(scores: np.ndarray, labels: np.ndarray, index: np.ndarray | None = None
                ) -> tuple[float, list[dict[str, float]]]:
    """ECE and the reliability table: per bin its count, mean score and observed rate."""
    index = _bins(scores) if index is None else index
    count = np.bincount(index, minlength=BINS).astype(float)
    mean = np.bincount(index, scores, BINS) / np.maximum(count, 1)
    rate = np.bincount(index, labels, BINS) / np.maximum(count, 1)
    ece = float(np.sum(count * np.abs(rate - mean)) / scores.size)
    table = [{"count": float(c), "predicted": float(m), "observed": float(r)}
             for c, m, r in zip(count, mean, rate, strict=True) if c]
    return ece, table


def _noise(scores: np.ndarray, index: np.ndarray, seed: int) -> float:
    """95th percentile of the ECE a perfectly calibrated model shows on this sample (each
    bin's observed count is Poisson-binomial around its expected one: normal draws)."""
    sd = np.sqrt(np.bincount(index, scores * (1 - scores), BINS))
    draws = np.random.default_rng(seed).standard_normal((1000, BINS)) * sd
    return float(np.quantile(np.abs(draws).sum(axis=1), 0.95) / scores.size)


def _isotonic(scores: np.ndarray, labels: np.ndarray) -> Any:
    from sklearn.isotonic import IsotonicRegression

    return IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(scores, labels)


def calibrate(scores: np.ndarray, labels: np.ndarray, *, seed: int = 0,
              folds: int = 5) -> Calibration:
    """Check the scores' calibration on labelled reference data; fit a correction that is
    kept if it lowers the ECE out of fold."""
    index = _bins(scores)
    ece, table = reliability(scores, labels, index)
    found = Calibration(ece=ece, ece_noise=_noise(scores, index, seed), reliability=table,
                        n_reference=int(scores.size))
    if labels.all() or not labels.any():
        return found
    model = _isotonic(scores, labels)
    _blocks(found, scores, model.predict(scores))
    if scores.size < 2 * folds * BINS:
        return found
    fold = np.random.default_rng(seed).permutation(scores.size) % folds
    out = np.empty(scores.size)
    for k in range(folds):
        held = fold == k
        out[held] = _isotonic(scores[~held], labels[~held]).predict(scores[held])
    found.ece_corrected = reliability(out, labels)[0]
    if found.ece_corrected < ece:
        found.x, found.y = model.X_thresholds_.tolist(), model.y_thresholds_.tolist()
        found.corrected = True
    return found


def _blocks(found: Calibration, scores: np.ndarray, fitted: np.ndarray) -> None:
    """The isotonic fit's blocks: runs of one fitted rate in score order."""
    order = np.argsort(scores, kind="stable")
    rate = fitted[order]
    starts = np.flatnonzero(np.r_[True, rate[1:] != rate[:-1]])
    found.block_starts = scores[order][starts].tolist()
    found.block_rows = np.diff(np.r_[starts, rate.size]).tolist()
    found.block_rates = rate[starts].tolist()


@dataclass
class Estimate:
    metric: str
    estimated: float
    ci_low: float
    ci_high: float
    realized: float | None = None

    @property
    def covered(self) -> bool | None:
        """Whether the realized value fell inside the interval (None until labels arrive)."""
        if self.realized is None or not np.isfinite(self.realized):
            return None
        return bool(self.ci_low <= self.realized <= self.ci_high)


def estimate(scores: np.ndarray, probabilities: np.ndarray, threshold: float = 0.5, *,
             confidence: float = 0.95, calibration: Calibration | None = None
             ) -> list[Estimate]:
    """Expected accuracy, F1 and ROC AUC of a batch with their intervals (module docstring):
    ``scores`` the model's, ``probabilities`` the calibrated ones, row for row. With the
    ``calibration`` that made them, the intervals hold its error too (its reference was a
    sample: near the decision boundary, where a shifted batch gathers, that error is of the
    order of the labels' own spread)."""
    p = np.clip(probabilities, 0.0, 1.0)
    n = p.size
    predicted = scores >= threshold
    variance = p * (1 - p)
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)

    error = calibration.errors(scores) if calibration else lambda gradient: 0.0

    def interval(metric: str, value: float, sampled: float, gradient: np.ndarray) -> Estimate:
        sd = float(np.sqrt(max(sampled, 0.0) + error(gradient)))
        return _interval(metric, value, sd, z)

    right = np.where(predicted, p, 1 - p)
    found = [interval("accuracy", float(right.mean()), float(variance.sum()) / n**2,
                      np.where(predicted, 1.0, -1.0) / n)]

    n1 = float(predicted.sum())
    a, va = float(p[predicted].sum()), float(variance[predicted].sum())
    total, vt = float(p.sum()), float(variance.sum())
    b, vb = total - a, max(vt - va, 0.0)
    d = max(a + b + n1, 1e-12)  # F1 = 2A / (A + B + n1), A and B independent
    d_a, d_b = 2 * (b + n1) / d**2, -2 * a / d**2
    found.append(interval("f1", 2 * a / d, d_a**2 * va + d_b**2 * vb,
                          np.where(predicted, d_a, d_b)))

    ranks = midranks(scores)  # AUC = (R - N(N+1)/2) / (N(n-N)), R = Σ rank·y, N = Σ y
    r, vr, cov = float(ranks @ p), float(ranks**2 @ variance), float(ranks @ variance)
    pairs = max(total * (n - total), 1e-12)
    auc = (r - total * (total + 1) / 2) / pairs
    d_r = 1 / pairs
    d_n = (-(total + 0.5) - auc * (n - 2 * total)) / pairs
    found.append(interval("roc_auc", auc, d_r**2 * vr + 2 * d_r * d_n * cov + d_n**2 * vt,
                          d_r * ranks + d_n))
    return found


def _interval(metric: str, value: float, sd: float, z: float) -> Estimate:
    return Estimate(metric, value, max(0.0, value - z * sd), min(1.0, value + z * sd))


def midranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties given their mean rank (as ROC AUC counts a tie as half)."""
    order = np.argsort(values)
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], values.size]
    ranks = np.empty(values.size)
    ranks[order] = np.repeat((starts + ends + 1) / 2, ends - starts)
    return ranks


def realized(scores: np.ndarray, labels: np.ndarray, threshold: float = 0.5
             ) -> dict[str, float]:
    """Accuracy, F1 and ROC AUC the labels show (AUC: NaN when one class is absent)."""
    y = labels.astype(bool)
    predicted = scores >= threshold
    tp = int(np.sum(predicted & y))
    positives, n1 = int(y.sum()), int(predicted.sum())
    auc = float("nan")
    if 0 < positives < y.size:
        ranks = midranks(scores)
        auc = (ranks[y].sum() - positives * (positives + 1) / 2) / (
            positives * (y.size - positives))
    return {"accuracy": float(np.mean(predicted == y)),
            "f1": 2 * tp / (positives + n1) if positives + n1 else 0.0,
            "roc_auc": float(auc)}
