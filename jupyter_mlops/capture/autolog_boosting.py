"""Autolog of XGBoost's and LightGBM's own training APIs, beside their scikit-learn estimators.

``xgb.train`` / ``lgb.train``: one fit record (estimator: the library's ``Booster``, method
``train``) with the params and the call's other plain arguments (``num_boost_round`` always),
the inputs' fingerprints, a summary (best iteration and score, iterations, inputs without a
fingerprint) and the booster, stored in its library's own format (``model_files.BOOSTER_FORMATS``).
Each iteration's evaluation results become metric histories named as the library prints
them: XGBoost's ``eval-logloss`` at steps 0, 1, … and LightGBM's ``valid_0.auc`` (it prints
``valid_0's auc``) at steps 1, 2, …: each library's own iteration numbers, as its log and its
``best_iteration`` count. To see them the call gets a collector: XGBoost an ``evals_result``
dict when the user passed none; LightGBM a ``record_evaluation`` callback put first in a copy
of the user's list, so their callbacks keep the order LightGBM gives them by position.
``xgb.cv`` / ``lgb.cv``: one record holding the per-iteration results, no artifact.

Inputs: a DMatrix keeps its data in C++, so the data and label of a DMatrix the user builds
are fingerprinted as it is built; a LightGBM Dataset keeps its raw data until training
constructs it, so it is fingerprinted then. Either way what is fingerprinted is what the
library trains on. A dataset whose data is out of reach (a file, a DMatrix built before the
library was patched, a Dataset constructed earlier with ``free_raw_data``) is listed with its
shape under the summary's ``unfingerprinted``. Validation sets are inputs with roles
``X:<name>``/``y:<name>``; the training set alone is what a model version is trained on.
"""

from __future__ import annotations

import inspect
import sys
import weakref
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from .fit_records import Prepare, Prepared, describe_inputs, emit, plain, record_history

#: The data and label a dataset object was built from, fingerprinted (see the docstring).
_seen: weakref.WeakKeyDictionary[Any, list[dict[str, Any]]] = weakref.WeakKeyDictionary()
_DMATRICES = ("DMatrix", "QuantileDMatrix", "ExtMemQuantileDMatrix")


def targets(module: ModuleType) -> Iterator[tuple[Any, str, Prepare]]:
    """What to wrap once XGBoost or LightGBM is imported: (owner, attribute, prepare), the
    functions both where they are defined and where the package re-exports them."""
    if module.__name__ == "xgboost":
        core, training = sys.modules["xgboost.core"], sys.modules["xgboost.training"]
        for name in _DMATRICES:
            if isinstance(getattr(core, name, None), type):
                yield getattr(core, name), "__init__", _built
        functions = {"train": (training, _xgb_train), "cv": (training, _cv)}
    else:
        functions = {"train": (sys.modules["lightgbm.engine"], _lgb_train),
                     "cv": (sys.modules["lightgbm.engine"], _cv)}
    for name, (defined, make) in functions.items():
        original = defined.__dict__[name]
        prepare = make(module.__name__, inspect.signature(original))
        yield defined, name, prepare
        if module.__dict__.get(name) is original:
            yield module, name, prepare


def _nothing(result: Any, seconds: float, method: str) -> None:
    """A call its function's signature does not take: the library raises its own error."""


def _built(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Prepared:
    def done(result: Any, seconds: float, method: str) -> None:
        data = args[1] if len(args) > 1 else kwargs.get("data")
        label = args[2] if len(args) > 2 else kwargs.get("label")
        _seen[args[0]] = describe_inputs((data, label), {})

    return args, kwargs, done


def _shape(dataset: Any) -> list[int] | None:
    for rows, columns in (("num_row", "num_col"), ("num_data", "num_feature")):
        try:
            return [int(getattr(dataset, rows)()), int(getattr(dataset, columns)())]
        except Exception:  # not this library's, or a Dataset not constructed yet
            continue
    return None


class _Inputs:
    """A call's datasets: fingerprints by role, and those out of reach by shape."""

    def __init__(self, train: Any, others: list[tuple[Any, str]]) -> None:
        self.found: list[dict[str, Any]] = []
        self.missing: list[dict[str, Any]] = []
        self._fresh: list[tuple[Any, list[dict[str, Any]]]] = []
        self._add(train, "")
        self.trained_on = [d["fingerprint"] for d in self.found]
        for dataset, name in others:
            if dataset is not train:
                self._add(dataset, f":{name}")

    def _add(self, dataset: Any, suffix: str) -> None:
        if not hasattr(dataset, "num_row") and not hasattr(dataset, "num_data"):
            return  # not a DMatrix or Dataset: the library refuses the call
        found = _seen.get(dataset)
        if found is None:  # a LightGBM Dataset before training constructs it
            found = describe_inputs((getattr(dataset, "data", None),
                                     getattr(dataset, "label", None)), {})
            if found:
                self._fresh.append((dataset, found))
        self.found.extend({**d, "role": d["role"] + suffix} for d in found)
        if not any(d["role"] == "X" for d in found):  # its label may still be there
            self.missing.append({"role": "X" + suffix, "kind": type(dataset).__name__,
                                 "shape": _shape(dataset)})

    def remember(self) -> None:
        """After a call that succeeded: LightGBM constructed these datasets from the data
        fingerprinted, and may have freed it; a failed call may have constructed nothing."""
        for dataset, found in self._fresh:
            _seen[dataset] = found


def _arguments(call: inspect.BoundArguments, signature: inspect.Signature) -> dict[str, Any]:
    """The params and the call's other plain arguments, ``num_boost_round`` always."""
    given = {k: v for k, v in call.arguments.items() if isinstance(v, (int, float, str, bool))}
    rounds = signature.parameters["num_boost_round"].default
    params = call.arguments.get("params")
    return {**plain(params if isinstance(params, dict) else {}),
            "num_boost_round": rounds, **given}


def _evals(call: inspect.BoundArguments, library: str) -> list[tuple[Any, str]]:
    """The validation sets with the names the library reports them by."""
    a = call.arguments
    if library == "xgboost":
        evals = a.get("evals")
        return [e for e in evals if isinstance(e, tuple) and len(e) == 2] \
            if isinstance(evals, (list, tuple)) else []
    sets, names = a.get("valid_sets"), a.get("valid_names")
    if not isinstance(sets, (list, tuple)):
        return []
    names = names if isinstance(names, (list, tuple)) else []
    return [(d, names[i] if i < len(names) else f"valid_{i}") for i, d in enumerate(sets)]


def _history(collected: dict[str, Any], library: str) -> dict[int, dict[str, float]]:
    """Per step, each evaluation result under its library's name (see the docstring)."""
    sep, first = ("-", 0) if library == "xgboost" else (".", 1)
    steps: dict[int, dict[str, float]] = {}
    for data, metrics in collected.items():
        for metric, values in metrics.items():
            for i, value in enumerate(values):
                steps.setdefault(i + first, {})[f"{data}{sep}{metric}"] = value
    return steps


def _summary(booster: Any, library: str, inputs: _Inputs) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if library == "xgboost":
        found["iterations"] = booster.num_boosted_rounds()
        if booster.attr("best_iteration") is not None:  # early stopping ran
            found["best_iteration"] = booster.best_iteration
            found["best_score"] = booster.best_score
    else:
        found["iterations"] = booster.current_iteration()
        if booster.best_iteration > 0:  # early stopping ran
            found["best_iteration"] = booster.best_iteration
            found["best_score"] = {f"{d}.{m}": v for d, scores in booster.best_score.items()
                                   for m, v in scores.items()}
    if inputs.missing:
        found["unfingerprinted"] = inputs.missing
    return found


def _native(library: str, signature: inspect.Signature, train_set: str,
            collect: Callable[[inspect.BoundArguments], dict[str, Any]]) -> Prepare:
    """A train's :data:`Prepare`: ``collect`` adds the history collector to the call."""
    def prepare(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Prepared:
        try:
            call = signature.bind(*args, **kwargs)
        except TypeError:
            return args, kwargs, _nothing
        inputs = _Inputs(call.arguments.get(train_set), _evals(call, library))
        params = _arguments(call, signature)
        history = collect(call)

        def done(booster: Any, seconds: float, method: str) -> None:
            inputs.remember()
            emit(f"{library}.Booster", params, method, inputs.found, seconds,
                 _summary(booster, library, inputs), booster, inputs.trained_on)
            record_history(_history(history, library))

        return call.args, call.kwargs, done

    return prepare


def _xgb_train(library: str, signature: inspect.Signature) -> Prepare:
    def collect(call: inspect.BoundArguments) -> dict[str, Any]:
        """The user's ``evals_result`` (XGBoost fills it), else one of ours."""
        given = call.arguments.get("evals_result")
        if given is None:
            given = call.arguments["evals_result"] = {}
        return given if isinstance(given, dict) else {}

    return _native(library, signature, "dtrain", collect)


def _lgb_train(library: str, signature: inspect.Signature) -> Prepare:
    def collect(call: inspect.BoundArguments) -> dict[str, Any]:
        """A ``record_evaluation`` callback first in a copy of the user's list (their
        callbacks' positions, from which LightGBM derives their order, stay the same)."""
        history: dict[str, Any] = {}
        callbacks = call.arguments.get("callbacks")
        if callbacks is None or isinstance(callbacks, (list, tuple)):
            record = sys.modules["lightgbm"].record_evaluation(history)
            call.arguments["callbacks"] = [record, *(callbacks or ())]
        return history

    return _native(library, signature, "train_set", collect)


def _cv(library: str, signature: inspect.Signature) -> Prepare:
    """One record of a whole cross-validation: its per-iteration results, no artifact."""
    train_set = "dtrain" if library == "xgboost" else "train_set"

    def prepare(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Prepared:
        try:
            call = signature.bind(*args, **kwargs)
        except TypeError:
            return args, kwargs, _nothing
        inputs = _Inputs(call.arguments.get(train_set), [])
        params = _arguments(call, signature)

        def done(result: Any, seconds: float, method: str) -> None:
            inputs.remember()
            columns = result.to_dict("list") if hasattr(result, "to_dict") else result
            history = {k: [float(v) for v in values] for k, values in columns.items()
                       if isinstance(values, list)}  # not LightGBM's cvbooster
            summary: dict[str, Any] = {"history": history}
            if inputs.missing:
                summary["unfingerprinted"] = inputs.missing
            emit(f"{library}.Booster", params, method, inputs.found, seconds, summary, None)

        return args, kwargs, done

    return prepare
