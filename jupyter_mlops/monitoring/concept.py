"""Concept drift: has the model got worse, or (before labels arrive) do its outputs move?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .report import DriftReport


@dataclass
class PerformanceDrift:
    metric: str
    reference: float
    current: float
    delta: float  # current - reference
    ci_low: float
    ci_high: float
    p_value: float
    degraded: bool
    higher_is_better: bool

    def __repr__(self) -> str:
        verdict = "DEGRADED" if self.degraded else "no significant degradation"
        return (f"<PerformanceDrift {verdict}: {self.metric} {self.reference:.4g} -> "
                f"{self.current:.4g} (Δ {self.delta:+.4g}, 95% CI [{self.ci_low:+.4g}, "
                f"{self.ci_high:+.4g}], p={self.p_value:.3g})>")


_METRICS = {  # name -> (function(y_true, y_pred), higher is better, uses probabilities)
    "accuracy": ("accuracy_score", True, False),
    "roc_auc": ("roc_auc_score", True, True),
    "f1": ("f1_score", True, False),
    "mae": ("mean_absolute_error", False, False),
    "rmse": ("root_mean_squared_error", False, False),
    "r2": ("r2_score", True, False),
}


def _predict(model: Any, X: Any, proba: bool) -> np.ndarray:
    if proba:
        return np.asarray(model.predict_proba(X))[:, 1]
    return np.asarray(model.predict(X))


def performance_drift(
    model: Any,
    reference: tuple[Any, Any],
    current: tuple[Any, Any | None],
    *,
    metric: str | None = None,
    n_boot: int = 1000,
    alpha: float = 0.05,
    seed: int = 0,
) -> PerformanceDrift | DriftReport:
    """Compare the model's metric on reference and current data, with a bootstrap CI of
    the difference; when current labels are not known yet (``current=(X, None)``), test
    prediction drift instead: a data drift report over the model's outputs.
    """
    from sklearn import metrics as skm

    X_ref, y_ref = reference
    X_cur, y_cur = current
    if metric is None:
        metric = "accuracy" if hasattr(model, "predict_proba") else "r2"
    if metric not in _METRICS:
        raise ValueError(f"unknown metric {metric!r}; use one of {', '.join(_METRICS)}")
    name, higher, proba = _METRICS[metric]
    if y_cur is None:
        from .detect import drift

        out = "probability" if hasattr(model, "predict_proba") else "prediction"
        return drift(pd.DataFrame({out: _predict(model, X_ref, out == "probability")}),
                     pd.DataFrame({out: _predict(model, X_cur, out == "probability")}))
    score = getattr(skm, name)
    pred_ref, pred_cur = _predict(model, X_ref, proba), _predict(model, X_cur, proba)
    y_ref, y_cur = np.asarray(y_ref), np.asarray(y_cur)
    base_ref, base_cur = score(y_ref, pred_ref), score(y_cur, pred_cur)
    rng = np.random.default_rng(seed)
    deltas = np.empty(n_boot)
    for i in range(n_boot):  # resample both sides: both are samples of their populations
        a = rng.integers(0, y_ref.size, y_ref.size)
        b = rng.integers(0, y_cur.size, y_cur.size)
        deltas[i] = score(y_cur[b], pred_cur[b]) - score(y_ref[a], pred_ref[a])
    low, high = np.quantile(deltas, [alpha / 2, 1 - alpha / 2])
    worse = deltas < 0 if higher else deltas > 0
    p = min(1.0, 2 * min(worse.mean(), 1 - worse.mean()))
    degraded = bool(high < 0) if higher else bool(low > 0)
    result = PerformanceDrift(metric, float(base_ref), float(base_cur),
                              float(base_cur - base_ref), float(low), float(high), float(p),
                              degraded, higher)
    _record(result)
    return result


def _record(result: PerformanceDrift) -> None:
    """One event per check (alert rules fire on a degradation); never raises."""
    from dataclasses import asdict

    from .. import events as ev
    from ..tracking import tracker

    t = tracker()
    t.emit(ev.PERFORMANCE_DRIFT, {"run_id": t.run_id, **asdict(result)})
