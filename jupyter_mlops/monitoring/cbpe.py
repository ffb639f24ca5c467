"""Confidence-based performance estimation (CBPE) for binary classifiers: numpy kernels.

A calibrated probability ``p`` says how often a prediction is right, so a batch's calibrated
probabilities give the distribution of its realized metrics before any label arrives: each
label is an independent Bernoulli(``p``). The estimate is that distribution's mean and the
interval its central ``confidence`` quantiles:

- **accuracy**: the number of correct predictions is Poisson-binomial (prediction right with
  probability ``p`` or ``1 - p``); its exact mean and variance, normal interval.
- **F1**: true positives ``A`` (labels among predicted positives) and false negatives ``B``
  (among predicted negatives) are independent Poisson-binomials; ``F1 = 2A / (A + B + n1)``
  over seeded normal draws of ``A`` and ``B`` with their exact moments.
- **ROC AUC**: with the scores' mid-ranks ``r``, ``AUC = (R - N(N+1)/2) / (N(n-N))`` where
  ``R = Σ r·y`` and ``N = Σ y``; seeded draws of ``(R, N)`` from their bivariate normal (exact
  means, variances and covariance). Ranks come from the raw scores, which is what the
  realized AUC ranks by, and probabilities from the calibration.

Calibration is checked on held-out labelled reference data: the expected calibration error
(ECE, equal-count bins) against its 95th percentile under perfect calibration (the noise a
sample of that size shows anyway). When it is worse, an isotonic map (scikit-learn) is fitted;
its ECE is measured out of fold, and it is used only if that is lower.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

#: The metrics estimated, in the order reported.
METRICS = ("accuracy", "f1", "roc_auc")
#: Equal-count bins of the reliability table; seeded draws behind the F1/AUC intervals.
BINS, DRAWS = 10, 4000


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

    @property
    def verdict(self) -> str:
        if self.ece <= self.ece_noise:
            return "calibrated"
        return "corrected" if self.corrected else "miscalibrated"

    def summary(self) -> str:
        text = (f"ECE {self.ece:.3f} on {self.n_reference:,} reference rows "
                f"(noise level {self.ece_noise:.3f}): ")
        if self.verdict == "calibrated":
            return text + "well calibrated"
        if self.corrected:
            return text + f"miscalibrated, corrected by isotonic regression " \
                          f"(ECE {self.ece_corrected:.3f} out of fold)"
        return text + "miscalibrated; isotonic correction did not help out of fold " \
                      "(estimates may be biased)"

    def apply(self, scores: np.ndarray) -> np.ndarray:
        if not self.corrected:
            return scores
        return np.interp(scores, np.asarray(self.x), np.asarray(self.y))

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Calibration:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def _bins(scores: np.ndarray) -> np.ndarray:
    """Bin index of each score: equal-count bins (ties kept together by sorting)."""
    order = np.argsort(scores, kind="stable")
    index = np.empty(scores.size, dtype=np.intp)
    index[order] = np.minimum(np.arange(scores.size) * BINS // max(scores.size, 1), BINS - 1)
    return index


def reliability(scores: np.ndarray, labels: np.ndarray) -> tuple[float, list[dict[str, float]]]:
    """ECE and the reliability table: per bin its count, mean score and observed rate."""
    index = _bins(scores)
    count = np.bincount(index, minlength=BINS).astype(float)
    mean = np.bincount(index, scores, BINS) / np.maximum(count, 1)
    rate = np.bincount(index, labels, BINS) / np.maximum(count, 1)
    ece = float(np.sum(count * np.abs(rate - mean)) / scores.size)
    table = [{"count": float(c), "predicted": float(m), "observed": float(r)}
             for c, m, r in zip(count, mean, rate, strict=True) if c]
    return ece, table


def _noise(scores: np.ndarray, seed: int) -> float:
    """95th percentile of the ECE a perfectly calibrated model shows on this sample."""
    index = _bins(scores)
    count = np.bincount(index, minlength=BINS).astype(float)
    sd = np.sqrt(np.bincount(index, scores * (1 - scores), BINS))
    draws = np.random.default_rng(seed).standard_normal((1000, BINS)) * sd
    return float(np.quantile(np.abs(draws).sum(axis=1) / scores.size, 0.95)) if count.any() \
        else 0.0


def _isotonic(scores: np.ndarray, labels: np.ndarray) -> Any:
    from sklearn.isotonic import IsotonicRegression

    return IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(scores, labels)


def calibrate(scores: np.ndarray, labels: np.ndarray, *, seed: int = 0,
              folds: int = 5) -> Calibration:
    """Check the scores' calibration on labelled reference data; fit a correction if poor."""
    ece, table = reliability(scores, labels)
    found = Calibration(ece=ece, ece_noise=_noise(scores, seed), reliability=table,
                        n_reference=int(scores.size))
    if found.verdict == "calibrated" or scores.size < 2 * folds * BINS:
        return found
    fold = np.random.default_rng(seed).permutation(scores.size) % folds
    out = np.empty(scores.size)
    for k in range(folds):
        held = fold == k
        out[held] = _isotonic(scores[~held], labels[~held]).predict(scores[held])
    found.ece_corrected = reliability(out, labels)[0]
    if found.ece_corrected < ece:
        model = _isotonic(scores, labels)
        found.x, found.y = model.X_thresholds_.tolist(), model.y_thresholds_.tolist()
        found.corrected = True
    return found


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
             confidence: float = 0.95, seed: int = 0) -> list[Estimate]:
    """Expected accuracy, F1 and ROC AUC of a batch with their intervals (module docstring):
    ``scores`` the model's, ``probabilities`` the calibrated ones, row for row."""
    p = np.clip(probabilities, 0.0, 1.0)
    n = p.size
    predicted = scores >= threshold
    variance = p * (1 - p)
    tail = (1 - confidence) / 2
    rng = np.random.default_rng(seed)

    right = np.where(predicted, p, 1 - p)
    mean, sd = right.mean(), np.sqrt(variance.sum()) / n
    z = stats.norm.ppf(1 - tail)
    found = [Estimate("accuracy", float(mean), float(max(0.0, mean - z * sd)),
                      float(min(1.0, mean + z * sd)))]

    n1 = int(predicted.sum())
    a = _normal(rng, p[predicted].sum(), variance[predicted].sum(), 0, n1)
    b = _normal(rng, p[~predicted].sum(), variance[~predicted].sum(), 0, n - n1)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(a + b + n1 > 0, 2 * a / (a + b + n1), 0.0)
    found.append(_from_draws("f1", f1, tail))

    ranks = stats.rankdata(scores)
    cov = np.array([[(ranks**2 * variance).sum(), (ranks * variance).sum()],
                    [(ranks * variance).sum(), variance.sum()]])
    draws = rng.multivariate_normal([(ranks * p).sum(), p.sum()], cov, DRAWS,
                                    method="cholesky" if np.all(np.linalg.eigvalsh(cov) > 0)
                                    else "eigh")
    positives = np.clip(draws[:, 1], 1, max(n - 1, 1))
    auc = (draws[:, 0] - positives * (positives + 1) / 2) / (positives * (n - positives))
    found.append(_from_draws("roc_auc", np.clip(auc, 0, 1), tail))
    return found


def _normal(rng: np.random.Generator, mean: float, var: float, low: int, high: int
            ) -> np.ndarray:
    return np.clip(mean + np.sqrt(var) * rng.standard_normal(DRAWS), low, high)


def _from_draws(metric: str, draws: np.ndarray, tail: float) -> Estimate:
    low, high = np.quantile(draws, [tail, 1 - tail])
    return Estimate(metric, float(draws.mean()), float(low), float(high))


def realized(scores: np.ndarray, labels: np.ndarray, threshold: float = 0.5
             ) -> dict[str, float]:
    """Accuracy, F1 and ROC AUC the labels show (AUC: NaN when one class is absent)."""
    y = labels.astype(bool)
    predicted = scores >= threshold
    tp = int(np.sum(predicted & y))
    positives, n1 = int(y.sum()), int(predicted.sum())
    auc = float("nan")
    if 0 < positives < y.size:
        ranks = stats.rankdata(scores)
        auc = (ranks[y].sum() - positives * (positives + 1) / 2) / (
            positives * (y.size - positives))
    return {"accuracy": float(np.mean(predicted == y)),
            "f1": 2 * tp / (positives + n1) if positives + n1 else 0.0,
            "roc_auc": float(auc)}
