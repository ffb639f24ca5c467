"""What autolog records of a fit: one ``fit`` event with the estimator, its parameters, the
fingerprints of its inputs, a search's cv table, a cross-validation's fold scores or a
native train's summary, and the fitted model stored content-addressed; a native train's
evaluation results as metric histories; and, per fitted object, the event that recorded it
(:func:`last_fit`, which ``register()`` links a model version to)."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import events as ev
from . import incidents
from .fingerprint import describe
from .recorder import recorder

_fits: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def last_fit(model: Any) -> dict[str, Any] | None:
    """What autolog recorded of ``model``'s latest fit: event id, input fingerprints, and the
    column dtypes of a DataFrame ``X`` (``schema``)."""
    try:
        return _fits.get(model)
    except TypeError:  # not weak-referenceable
        return None


#: Before a user's call: the arguments to make it with (a native train's get a history
#: collector) and what records it once it returned (result, seconds, method).
Prepared = tuple[tuple[Any, ...], dict[str, Any], Callable[[Any, float, str], None]]
Prepare = Callable[[tuple[Any, ...], dict[str, Any]], Prepared]


def plain(values: Mapping[Any, Any]) -> dict[str, Any]:
    """``values`` with every value JSON can hold as is, others as their repr."""
    return {str(k): v if isinstance(v, (int, float, str, bool, type(None))) else repr(v)
            for k, v in values.items()}


def params_of(model: Any) -> dict[str, Any]:
    """An estimator's own parameters as JSON values (others as their repr); {} if it has none."""
    try:
        return plain(model.get_params(deep=False))
    except Exception:
        return {}


def describe_inputs(args: Sequence[Any], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    """Fingerprints of a fit's ``X`` and ``y`` (positional or keyword), those that are data."""
    found = []
    for role, position in (("X", 0), ("y", 1)):
        value = args[position] if len(args) > position else kwargs.get(role)
        data = describe(value) if value is not None else None
        if data is not None:
            found.append({**data, "role": role})
    return found


def _search(model: Any) -> dict[str, Any] | None:
    """A fitted search's cv table (top 50 by rank), with its best params and score if any.

    Any ``refit`` works: a callable leaves no ``best_score_``, ``False`` no ``best_*`` at all,
    and multi-metric searches rank by the refit metric (the first one when there is none).
    """
    results = getattr(model, "cv_results_", None)
    if not isinstance(results, dict) or "params" not in results:
        return None
    refit = getattr(model, "refit", True)
    metric = refit if isinstance(refit, str) and f"rank_test_{refit}" in results else next(
        (k[len("rank_test_"):] for k in results if k.startswith("rank_test_")), "score")
    unranked = range(1, len(results["params"]) + 1)
    ranks = [int(r) for r in results.get(f"rank_test_{metric}", unranked)]
    order = sorted(range(len(ranks)), key=ranks.__getitem__)[:50]
    mean, std = results.get(f"mean_test_{metric}"), results.get(f"std_test_{metric}")
    found: dict[str, Any] = {"metric": metric, "cv": [
        {"params": results["params"][i], "rank": ranks[i],
         "mean_test_score": None if mean is None else float(mean[i]),
         "std_test_score": None if std is None else float(std[i])} for i in order]}
    if hasattr(model, "best_params_"):
        found["best_params"] = model.best_params_
    if hasattr(model, "best_score_"):
        found["best_score"] = float(model.best_score_)
    return found


def _artifact(store: Any, model: Any) -> tuple[str | None, str | None]:
    """The model stored content-addressed (an identical refit costs no new file); a model
    that cannot be serialized is recorded without one, as an incident."""
    from .. import blobs, model_files

    try:
        blob, fmt = model_files.dump_model(model)
        return blobs.put(store, blob, durable=False), fmt
    except Exception:
        incidents.report(store.root, "autolog: storing the fitted model")
        return None, None


def class_name(obj: Any) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def emit(estimator: str, params: dict[str, Any], method: str, inputs: list[dict[str, Any]],
         seconds: float, search: dict[str, Any] | None, keep: Any,
         trained_on: list[str] | None = None) -> None:
    """One fit record; ``keep`` is the fitted object to store (None: nothing to keep), and
    ``trained_on`` the fingerprints its model versions are trained on (default: all inputs;
    a native train's validation sets are inputs, not training data)."""
    t = recorder()
    artifact, fmt = _artifact(t.store, keep) if keep is not None else (None, None)
    event = ev.Event(ev.FIT, {
        "run_id": t.ensure_run(), "seq": t.cell_seq, "method": method,
        "estimator": estimator, "params": params, "inputs": inputs,
        "duration_ms": seconds * 1000, "artifact": artifact, "format": fmt, "search": search})
    if t.emit_event(event) and keep is not None:  # what register() links the version to
        _fits[keep] = {"fit": event.id, "inputs": [i["fingerprint"] for i in inputs]
                       if trained_on is None else trained_on,
                       "schema": next((i.get("schema") for i in inputs  # the signature's
                                       if i.get("role") == "X" and i.get("kind") == "DataFrame"),
                                      None)}


def record_history(steps: Mapping[int, Mapping[str, float]]) -> None:
    """Metric values per step (one ``metrics`` event each), as ``log_metrics`` records them."""
    t = recorder()
    run_id = t.ensure_run()
    for step, values in sorted(steps.items()):
        t.emit(ev.METRICS, {"run_id": run_id, "metrics": {k: float(v) for k, v in values.items()},
                            "step": step, "seq": t.cell_seq})


def record_fit(args: tuple[Any, ...], kwargs: dict[str, Any], result: Any, seconds: float,
               method: str) -> None:
    """One record of a user's fit (a search's: with its cv table)."""
    model = args[0]
    search = _search(model)
    # a search with refit=False has no best estimator: its cv table is the whole result
    keep = None if search is not None and not hasattr(model, "best_estimator_") else model
    emit(class_name(model), params_of(model), method, describe_inputs(args[1:], kwargs),
         seconds, search, keep)


def record_cross_validation(args: tuple[Any, ...], kwargs: dict[str, Any], result: Any,
                            seconds: float, method: str) -> None:
    """One record for the whole cross-validation: the fold scores, no artifact (the
    estimator passed in stays unfitted; the folds fitted clones)."""
    estimator = args[0] if args else kwargs.get("estimator")
    scores = {"test_score": result} if method == "cross_val_score" else {
        k: v for k, v in result.items() if k.startswith(("test_", "train_"))}
    emit(class_name(estimator), params_of(estimator), method, describe_inputs(args[1:], kwargs),
         seconds, {"scores": {k: [float(s) for s in v] for k, v in scores.items()}}, None)
