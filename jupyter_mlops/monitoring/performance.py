"""Label-free performance of a classifier (``mlops.performance``): estimated from its calibrated
probabilities on a batch before labels exist, realized once they do, both recorded per batch.

The model's calibration is learnt once from labelled reference data (``reference=(X, y)``)
and stored with the model (its registry version, ``churn:3``, or the ``name`` given), so a
later batch needs only the model. How the estimate and its interval are computed:
:mod:`.cbpe`.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import events as ev
from ..exceptions import BadBatch
from ..tracking import tracker
from .cbpe import Estimate
from .cbpe_multiclass import AnyCalibration, estimate_any, fit, from_dict, realized_any

#: How far a row of ``predict_proba`` may sum from 1 (float rounding, not a bug).
_TOLERANCE = 1e-3


@dataclass
class Performance:
    """One batch's estimated metrics (and realized ones when labels were given)."""

    model: str
    n: int
    estimates: list[Estimate]
    calibration: AnyCalibration
    threshold: float | None  # None for a multiclass model (it predicts its likeliest class)
    confidence: float
    batch: str | None = None  # the batch's fingerprint
    id: str | None = None  # the event's id once recorded
    dropped: int = 0  # rows the model gave no score

    def to_frame(self) -> pd.DataFrame:
        """One row per metric: estimated, interval, realized (None before labels), covered."""
        return pd.DataFrame([{"metric": e.metric, "estimated": e.estimated, "ci_low": e.ci_low,
                              "ci_high": e.ci_high, "realized": e.realized,
                              "covered": e.covered} for e in self.estimates])

    def summary(self) -> str:
        parts = []
        for e in self.estimates:
            text = f"{e.metric} {e.estimated:.3f} [{e.ci_low:.3f}, {e.ci_high:.3f}]"
            parts.append(text + (f" (realized {e.realized:.3f})" if e.realized is not None
                                 and np.isfinite(e.realized) else ""))
        skipped = f", {self.dropped:,} rows without a score left out" if self.dropped else ""
        return (f"{self.model} on {self.n:,} rows{skipped}: " + "; ".join(parts)
                + f" ({self.confidence:.0%} intervals). Calibration: "
                + self.calibration.summary())

    def __repr__(self) -> str:
        return f"<Performance {self.summary()}>"

    def _repr_html_(self) -> str:
        table = self.to_frame().to_html(index=False, na_rep="", border=0,
                                        float_format=lambda v: f"{v:.4f}")
        report = getattr(self.calibration, "report", None)  # per class, when multiclass
        if report is not None:
            table += report().to_html(index=False, na_rep="", border=0,
                                      float_format=lambda v: f"{v:.4f}")
        return f"<div><p>{html.escape(self.summary())}</p>{table}</div>"


def _resolve(model: Any, name: str | None) -> tuple[Any, str]:
    """The fitted object and the key its calibration and history are kept under."""
    if isinstance(model, str):
        from ..registry import load_model, resolve

        version = resolve(tracker().store, model)
        return load_model((version.name, version.version)), f"{version.name}:{version.version}"
    return model, name or type(model).__name__


def _classes(model: Any) -> list[Any]:
    """The classes the model's probabilities are over (the second of two is the positive
    one); a clear error for what is not a classifier."""
    if not callable(getattr(model, "predict_proba", None)):
        raise BadBatch(f"a {type(model).__name__} has no predict_proba: performance "
                       f"estimation needs a classifier's probabilities (regressors are not "
                       f"supported)")
    classes = list(getattr(model, "classes_", [0, 1]))
    if len(classes) < 2:
        raise BadBatch(f"the model knows {len(classes)} class: performance needs a classifier "
                       f"trained on two classes or more")
    return classes


def _scores(model: Any, data: Any, columns: list[str] | None, what: str, k: int
            ) -> np.ndarray:
    """The model's (rows, ``k``) class probabilities for ``data`` (NaN rows where none)."""
    if not isinstance(data, (pd.DataFrame, np.ndarray)):
        raise BadBatch(f"the {what} must be a pandas DataFrame or a numpy array, not a "
                       f"{type(data).__name__}")
    if len(data) == 0:
        raise BadBatch(f"the {what} has no rows: nothing to estimate")
    if columns is not None and isinstance(data, pd.DataFrame):
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise BadBatch(f"the {what} lacks columns the model was calibrated with: "
                           f"{', '.join(map(str, missing[:10]))}; give a frame with them")
        data = data[columns]
    try:
        proba = np.asarray(model.predict_proba(data), dtype=float)
    except Exception as e:
        raise BadBatch(f"the model could not score the {what}: {type(e).__name__}: "
                       f"{str(e).splitlines()[0] if str(e) else ''}") from None
    if proba.ndim != 2 or proba.shape != (len(data), k):
        raise BadBatch(f"predict_proba gave shape {proba.shape} for {len(data)} rows; a "
                       f"classifier of {k} classes gives ({len(data)}, {k})")
    if np.isnan(proba).any(axis=1).all():
        raise BadBatch(f"the model gave no score for any of the {len(data):,} rows of the "
                       f"{what} (all NaN): check its missing values")
    off = np.abs(proba.sum(axis=1) - 1) > _TOLERANCE  # NaN rows compare False
    if off.any():
        row = int(np.argmax(off))
        raise BadBatch(f"predict_proba's rows must sum to 1, but {int(off.sum()):,} of the "
                       f"{len(data):,} rows of the {what} do not (row {row} sums to "
                       f"{proba[row].sum():.4g}): give a model whose probabilities are "
                       f"normalised")
    return proba


def _labels(labels: Any, n: int, classes: list[Any], what: str) -> np.ndarray:
    """Each row's class index in ``classes`` (values checked by :func:`_check_classes`)."""
    values = np.asarray(labels.to_numpy() if isinstance(labels, (pd.Series, pd.DataFrame))
                        else labels).ravel()
    if values.size != n:
        raise BadBatch(f"{what} has {values.size:,} values for {n:,} rows: give one label per "
                       f"row, in the same order")
    if pd.isna(values).any():
        raise BadBatch(f"{what} has {int(pd.isna(values).sum()):,} missing values: give every "
                       f"row its label")
    index = np.full(values.size, -1, dtype=np.intp)
    for k, name in enumerate(classes):
        index[values == name] = k
    return index


def _check_classes(values: Any, model: Any, what: str) -> None:
    known = np.asarray(getattr(model, "classes_", [0, 1]))
    seen = pd.unique(np.asarray(values).ravel())
    unknown = [str(v) for v in seen[~np.isin(seen, known)] if not pd.isna(v)]
    if unknown:
        raise BadBatch(f"{what} hold values the model does not predict: "
                       f"{', '.join(unknown[:5])}; its classes are "
                       f"{', '.join(map(str, known))}")


def _binary(threshold: float, classes: list[Any]) -> float | None:
    """The threshold means something for two classes only (more: the likeliest wins)."""
    return threshold if len(classes) == 2 else None


def _finite(value: float | None) -> float | None:
    """JSON has no NaN: an undefined metric (AUC of a one-class batch) is recorded as null."""
    return value if value is not None and np.isfinite(value) else None


def _reference(model: Any, classes: list[Any], key: str, reference: Any, threshold: float,
               seed: int, save: bool) -> tuple[AnyCalibration, list[str] | None, str | None]:
    """Calibrate on ``reference=(X, y)`` and store it, or read what is stored for ``key``."""
    if reference is None:
        from ..store import queries

        stored = queries.performance_reference(tracker().store, key)
        if stored is None:
            raise BadBatch(f"no calibration stored for {key}: pass reference=(X_ref, y_ref), "
                           f"held-out labelled data, once")
        body = json.loads(stored[1])
        found = from_dict(body["calibration"])
        kept = len(getattr(found, "classes", [0, 1]))
        if kept != len(classes):
            raise BadBatch(f"the calibration stored for {key} is of a model of {kept} "
                           f"classes, this one has {len(classes)}: pass "
                           f"reference=(X_ref, y_ref) again")
        return found, body.get("columns"), stored[0]
    if not isinstance(reference, tuple) or len(reference) != 2:
        raise BadBatch("reference must be a tuple (X_ref, y_ref) of held-out labelled data")
    data, y = reference
    columns = [str(c) for c in data.columns] if isinstance(data, pd.DataFrame) else None
    scores = _scores(model, data, None, "reference", len(classes))
    _check_classes(y, model, "the reference labels")
    labels = _labels(y, len(scores), classes, "the reference labels")
    keep = ~np.isnan(scores).any(axis=1)
    absent = [str(c) for k, c in enumerate(classes) if not np.any(labels[keep] == k)]
    if len(classes) > 2 and absent:
        raise BadBatch(f"the reference labels have no row of class {', '.join(absent[:5])}: "
                       f"each class is calibrated on its own rows, so give held-out data "
                       f"with every class the model predicts")
    found = fit(scores[keep], labels[keep], [str(c) for c in classes], seed=seed)
    event = ev.Event(ev.PERFORMANCE_REFERENCE, {
        "model": key, "n_reference": found.n_reference,
        "threshold": _binary(threshold, classes),
        "verdict": found.verdict, "ece": found.ece, "ece_corrected": found.ece_corrected,
        "body": {"calibration": found.to_dict(), "columns": columns,
                 "reference": realized_any(scores[keep], labels[keep], threshold)}})
    if save:
        t = tracker()
        event.payload["run_id"] = t.ensure_run()
        t.emit_event(event)
    return found, columns, event.id if save else None


def performance(model: Any, batch: Any, labels: Any = None, *, reference: Any = None,
                name: str | None = None, threshold: float = 0.5, confidence: float = 0.95,
                seed: int = 0, save: bool = True) -> Performance:
    """Estimate a classifier's accuracy, F1 and ROC AUC on ``batch`` without labels, with
    ``confidence`` intervals (more than two classes: macro F1 and one-vs-rest ROC AUC, the
    likeliest class predicted, no ``threshold``); with ``labels`` also the realized values.
    ``model``: the fitted object (its history kept under ``name``, default its class name)
    or a registry reference (``"churn@champion"``). ``reference=(X_ref, y_ref)``, held-out
    labelled data, checks its calibration (corrected if poor; ``seed`` fixes that check's
    draws and folds) and is stored for the next calls."""
    if not 0 < confidence < 1:
        raise BadBatch(f"confidence must be between 0 and 1, not {confidence!r}")
    fitted, key = _resolve(model, name)
    classes = _classes(fitted)
    if len(classes) > 2 and threshold != 0.5:
        raise BadBatch(f"threshold applies to binary classifiers only: this model has "
                       f"{len(classes)} classes and predicts the likeliest; leave it out")
    calibration, columns, reference_id = _reference(fitted, classes, key, reference,
                                                    threshold, seed, save)
    scores = _scores(fitted, batch, columns, "batch", len(classes))
    keep = ~np.isnan(scores).any(axis=1)
    found = estimate_any(scores[keep], calibration, threshold, confidence=confidence)
    if labels is not None:
        _check_classes(labels, fitted, "the labels")
        truth = realized_any(scores[keep], _labels(labels, len(scores), classes,
                                                   "labels")[keep], threshold)
        for e in found:
            e.realized = truth[e.metric]
    result = Performance(key, int(keep.sum()), found, calibration,
                         _binary(threshold, classes), confidence, dropped=int((~keep).sum()))
    if save:
        _record(result, batch, reference_id)
    return result


def _record(result: Performance, batch: Any, reference_id: str | None) -> None:
    """One event per call; recording never raises (a failure is an incident, as capture's)."""
    from ..capture.fingerprint import fingerprint

    try:
        result.batch = fingerprint(batch)
    except TypeError:
        result.batch = None
    t = tracker()
    event = ev.Event(ev.PERFORMANCE, {
        "run_id": t.ensure_run(), "model": result.model, "reference": reference_id,
        "batch": result.batch, "n": result.n, "confidence": result.confidence,
        "metrics": [{"metric": e.metric, "estimated": _finite(e.estimated),
                     "ci_low": _finite(e.ci_low), "ci_high": _finite(e.ci_high),
                     "realized": _finite(e.realized)} for e in result.estimates]})
    if t.emit_event(event):
        result.id = event.id


def performance_history(model: str | None = None, *, metric: str | None = None,
                        limit: int | None = None,
                        store: Any = None) -> pd.DataFrame:
    """Estimated vs realized per batch, oldest first (columns in docs/sql.md): ``model`` is
    ``name`` (every version), ``name:3`` or ``name@alias`` (the version it points at)."""
    from ..store import Store, queries

    found = store if isinstance(store, Store) else (
        Store.open(store) if isinstance(store, (str, os.PathLike)) else tracker().store)
    if model is not None and "@" in model:
        from ..registry import resolve

        version = resolve(found, model)
        model = f"{version.name}:{version.version}"
    return queries.performance_history(found, model, metric, limit)
