"""Confidence-based performance estimation for multiclass classifiers: numpy kernels.

As NannyML does it: each class is calibrated one-vs-rest on the reference (the binary check
and isotonic correction of :mod:`.cbpe`, class by class), and the corrected columns are
renormalised so each row sums to 1 again. Each label is then an independent categorical draw
from its row of calibrated probabilities, and every metric is a sum of per-row terms plus a
smooth function of per-class sums, so one delta-method rule gives all three intervals: a
metric linearised as ``Σ_i w[i, y_i]`` has variance ``Σ_i (Σ_c p_ic w_ic² − (Σ_c p_ic w_ic)²)``.

- **accuracy**: ``w[i, c] = 1`` where ``c`` is the predicted class (the mean of the predicted
  class's probability; its variance the Poisson-binomial one).
- **macro F1**: per class ``F1_k = 2A_k / (A_k + B_k + n1_k)`` (true positives ``A_k``, false
  negatives ``B_k``, ``n1_k`` rows predicted ``k``), averaged; a label ``c`` moves ``A_c`` if
  ``c`` was predicted, else ``B_c``.
- **macro one-vs-rest ROC AUC**: per class the binary rank formula on that class's raw scores,
  averaged; a label ``c`` adds its row's rank to ``R_c`` and one to ``N_c``.

The predicted class is the most probable raw one (what ``predict`` returns).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from .cbpe import Calibration, Estimate, _interval, calibrate, estimate, midranks, realized


@dataclass
class MulticlassCalibration:
    """One-vs-rest calibration of each class on the reference, kept with the model."""

    classes: list[str]
    per_class: list[Calibration] = field(default_factory=list)
    n_reference: int = 0

    @property
    def verdict(self) -> str:
        """The worst class's: miscalibrated, else corrected, else calibrated."""
        verdicts = {c.verdict for c in self.per_class}
        for worst in ("miscalibrated", "corrected"):
            if worst in verdicts:
                return worst
        return "calibrated"

    @property
    def ece(self) -> float:
        """The worst class's ECE (what the stored reference row shows)."""
        return max(c.ece for c in self.per_class)

    @property
    def ece_corrected(self) -> float | None:
        """The worst class's ECE once corrected classes are (out of fold), if any was."""
        if not any(c.corrected for c in self.per_class):
            return None
        return max(c.ece_corrected if c.corrected and c.ece_corrected is not None else c.ece
                   for c in self.per_class)

    def summary(self) -> str:
        worst = max(range(len(self.classes)), key=lambda k: self.per_class[k].ece)
        counts = {v: sum(c.verdict == v for c in self.per_class)
                  for v in ("calibrated", "corrected", "miscalibrated")}
        shown = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
        return (f"one vs rest over {len(self.classes)} classes ({shown}); worst class "
                f"{self.classes[worst]}: {self.per_class[worst].summary()}")

    def report(self) -> pd.DataFrame:
        """One row per class: its ECE, noise level, corrected ECE and verdict."""
        return pd.DataFrame([{"class": name, "ece": c.ece, "ece_noise": c.ece_noise,
                              "ece_corrected": c.ece_corrected, "corrected": c.corrected,
                              "verdict": c.verdict}
                             for name, c in zip(self.classes, self.per_class, strict=True)])

    def apply(self, proba: np.ndarray) -> np.ndarray:
        """Each class's correction, then rows renormalised (a row all corrected to zero
        keeps its raw probabilities)."""
        return self._corrected(proba)[0]

    def _corrected(self, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The renormalised rows, and each row's total before (what it was divided by)."""
        out = np.column_stack([c.apply(proba[:, k]) for k, c in enumerate(self.per_class)])
        total = out.sum(axis=1, keepdims=True)
        return np.where(total > 0, out / np.where(total > 0, total, 1), proba), total

    def errors(self, proba: np.ndarray) -> Callable[[np.ndarray], float]:
        """For a batch's (n, K) ``proba``: the variance an estimate takes from each class's
        calibration error (:meth:`.Calibration.errors`), given its gradient (n, K) in the
        calibrated probabilities, carried through the renormalisation; classes
        independent."""
        p, total = self._corrected(proba)
        scale = np.where(total > 0, total, np.inf)
        per_class = [c.errors(proba[:, k]) for k, c in enumerate(self.per_class)]

        def variance(gradient: np.ndarray) -> float:
            # p_ic = f_c / T: moving f_k moves p_ik by (1 - p_ik) / T, the others by -p_ic / T
            moved = (gradient - np.einsum("ij,ij->i", gradient, p)[:, None]) / scale
            return sum(error(moved[:, k]) for k, error in enumerate(per_class))

        return variance

    def to_dict(self) -> dict[str, Any]:
        return {"classes": self.classes, "n_reference": self.n_reference,
                "per_class": [c.to_dict() for c in self.per_class]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MulticlassCalibration:
        return cls(list(d["classes"]), [Calibration.from_dict(c) for c in d["per_class"]],
                   int(d.get("n_reference", 0)))


def calibrate_multiclass(proba: np.ndarray, labels: np.ndarray, classes: list[str], *,
                         seed: int = 0) -> MulticlassCalibration:
    """Check and correct each class one-vs-rest; ``labels`` are class indices."""
    return MulticlassCalibration(
        classes, [calibrate(proba[:, k], labels == k, seed=seed + k)
                  for k in range(len(classes))], int(labels.size))


def _sd(p: np.ndarray, w: np.ndarray) -> float:
    """Standard deviation of ``Σ_i w[i, y_i]`` with ``y_i`` drawn from row ``p[i]``."""
    mean = np.einsum("ij,ij->i", p, w)
    return float(np.sqrt(max(float(np.einsum("ij,ij->", p, w * w) - mean @ mean), 0.0)))


def estimate_multiclass(scores: np.ndarray, probabilities: np.ndarray, *,
                        confidence: float = 0.95,
                        calibration: MulticlassCalibration | None = None) -> list[Estimate]:
    """Expected accuracy, macro F1 and macro one-vs-rest ROC AUC with their intervals:
    ``scores`` the model's (n, K) probabilities, ``probabilities`` the calibrated ones (by
    ``calibration``, whose own error the intervals then hold too, as :func:`.cbpe.estimate`).
    A metric's weights ``w`` are also its gradient in the calibrated probabilities."""
    p = np.clip(probabilities, 0.0, 1.0)
    n, k = p.shape
    rows = np.arange(n)
    predicted = scores.argmax(axis=1)
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)

    error = calibration.errors(scores) if calibration else lambda w: 0.0

    def interval(metric: str, value: float, w: np.ndarray) -> Estimate:
        return _interval(metric, value, float(np.sqrt(_sd(p, w) ** 2 + error(w))), z)

    hit = np.zeros((n, k))
    hit[rows, predicted] = 1.0
    found = [interval("accuracy", float(p[rows, predicted].mean()), hit / n)]

    n1 = hit.sum(axis=0)
    a, total = (p * hit).sum(axis=0), p.sum(axis=0)
    b = total - a
    d = np.maximum(a + b + n1, 1e-12)
    w = np.where(hit > 0, 2 * (b + n1) / d**2, -2 * a / d**2) / k
    found.append(interval("f1", float(np.mean(2 * a / d)), w))

    ranks = np.column_stack([midranks(scores[:, c]) for c in range(k)])
    pairs = np.maximum(total * (n - total), 1e-12)
    auc = ((ranks * p).sum(axis=0) - total * (total + 1) / 2) / pairs
    d_n = (-(total + 0.5) - auc * (n - 2 * total)) / pairs
    w = (ranks / pairs + d_n) / k
    found.append(interval("roc_auc", float(auc.mean()), w))
    return found


def realized_multiclass(scores: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Accuracy, macro F1 and macro one-vs-rest ROC AUC the labels (class indices) show
    (AUC: NaN when a class is absent, as for a one-class binary batch)."""
    n, k = scores.shape
    predicted = scores.argmax(axis=1)
    positives = np.bincount(labels, minlength=k)
    n1 = np.bincount(predicted, minlength=k)
    tp = np.bincount(labels[predicted == labels], minlength=k)
    f1 = np.divide(2 * tp, positives + n1, out=np.zeros(k), where=positives + n1 > 0)
    auc = float("nan")
    if (positives > 0).all():
        aucs = [(midranks(scores[:, c])[labels == c].sum() - positives[c] * (positives[c] + 1)
                 / 2) / (positives[c] * (n - positives[c])) for c in range(k)]
        auc = float(np.mean(aucs))
    return {"accuracy": float(np.mean(predicted == labels)), "f1": float(f1.mean()),
            "roc_auc": auc}


# Either kind, by the number of classes: a binary model's probabilities are scored through its
# positive (second) class's column and a threshold, as :mod:`.cbpe` does.

AnyCalibration = Calibration | MulticlassCalibration


def fit(proba: np.ndarray, labels: np.ndarray, classes: list[str], *, seed: int = 0
        ) -> AnyCalibration:
    """The calibration of (n, K) probabilities against class indices."""
    if len(classes) == 2:
        return calibrate(proba[:, 1], labels == 1, seed=seed)
    return calibrate_multiclass(proba, labels, classes, seed=seed)


def estimate_any(proba: np.ndarray, calibration: AnyCalibration, threshold: float, *,
                 confidence: float) -> list[Estimate]:
    if isinstance(calibration, MulticlassCalibration):
        return estimate_multiclass(proba, calibration.apply(proba), confidence=confidence,
                                   calibration=calibration)
    return estimate(proba[:, 1], calibration.apply(proba[:, 1]), threshold,
                    confidence=confidence, calibration=calibration)


def realized_any(proba: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, float]:
    if proba.shape[1] == 2:
        return realized(proba[:, 1], labels == 1, threshold)
    return realized_multiclass(proba, labels)


def from_dict(d: dict[str, Any]) -> AnyCalibration:
    """A stored calibration of either kind."""
    return MulticlassCalibration.from_dict(d) if "per_class" in d else Calibration.from_dict(d)
