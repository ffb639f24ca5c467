"""scikit-learn autolog: every top-level ``fit`` is recorded without a call.

``fit``, ``fit_transform`` and ``partial_fit`` are wrapped on each ``BaseEstimator`` subclass
that defines them, including classes created later (through ``__init_subclass__``). A
thread-local depth makes a meta-estimator's fit one record (a Pipeline's steps, a grid
search's refits are inside it). Recording never changes what ``fit`` returns or raises; a
failure in recording is logged once. ``autolog(False)`` restores the original methods.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
import time
import weakref
from typing import Any

from .. import events as ev
from .fingerprint import describe

log = logging.getLogger("jupyter_mlops")

METHODS = ("fit", "fit_transform", "partial_fit")
_state = threading.local()
_patched: dict[tuple[type, str], Any] = {}  # (class, method) -> original
_fits: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()
_warned = False
_enabled = False
_user_disabled = False  # autolog(False) was called: do not turn it back on by itself
_NOT_OWN = object()  # BaseEstimator had no __init_subclass__ of its own
_original_init_subclass: Any = _NOT_OWN


def last_fit(model: Any) -> dict[str, Any] | None:
    """What autolog recorded of ``model``'s latest fit: event id and input fingerprints."""
    try:
        return _fits.get(model)
    except TypeError:  # not weak-referenceable
        return None


def _inputs(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for role, position in (("X", 0), ("y", 1)):
        value = args[position] if len(args) > position else kwargs.get(role)
        data = describe(value) if value is not None else None
        if data is not None:
            found.append({**data, "role": role})
    return found


def _search(model: Any) -> dict[str, Any] | None:
    """Best params and the top of the cv table of a fitted search object."""
    results = getattr(model, "cv_results_", None)
    if results is None or not hasattr(model, "best_params_"):
        return None
    ranks = list(results.get("rank_test_score", []))
    order = sorted(range(len(ranks)), key=ranks.__getitem__)[:50]
    return {"best_params": model.best_params_, "best_score": float(model.best_score_),
            "cv": [{"params": results["params"][i],
                    "mean_test_score": float(results["mean_test_score"][i]),
                    "std_test_score": float(results["std_test_score"][i]),
                    "rank": int(ranks[i])} for i in order]}


def _record(model: Any, method: str, args: tuple[Any, ...], kwargs: dict[str, Any],
            seconds: float) -> None:
    from .. import artifacts
    from ..registry import _params
    from ..tracking import tracker

    t = tracker()
    inputs = _inputs(args, kwargs)
    blob, fmt = artifacts.dump_model(model)
    event = ev.Event(ev.FIT, {
        "run_id": t.ensure_run(), "cell_seq": t.cell_seq, "method": method,
        "estimator": f"{type(model).__module__}.{type(model).__qualname__}",
        "params": _params(model), "inputs": inputs, "duration_ms": seconds * 1000,
        "artifact": artifacts.put(t.store, blob, durable=False), "format": fmt,
        "search": _search(model)})
    if t.emit_event(event):  # what register() links the version to
        _fits[model] = {"fit": event.id, "inputs": [i["fingerprint"] for i in inputs]}


def _wrap(cls: type, name: str) -> None:
    original = cls.__dict__[name]
    if getattr(original, "_jupyter_mlops", False) or (cls, name) in _patched:
        return

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        depth = getattr(_state, "depth", 0)
        _state.depth = depth + 1
        started = time.perf_counter()
        try:
            result = original(self, *args, **kwargs)
        finally:
            _state.depth = depth
        if depth == 0:
            global _warned
            try:
                _record(self, name, args, kwargs, time.perf_counter() - started)
            except Exception:
                if not _warned:
                    _warned = True
                    log.warning("jupyter-mlops: autolog could not record a fit; the fit "
                                "itself is unaffected", exc_info=True)
        return result

    wrapper._jupyter_mlops = True  # type: ignore[attr-defined]
    _patched[(cls, name)] = original
    setattr(cls, name, wrapper)


def _patch_class(cls: type) -> None:
    for name in METHODS:
        if name in cls.__dict__ and callable(cls.__dict__[name]):
            _wrap(cls, name)


def _all_subclasses(cls: type) -> list[type]:
    seen, stack = [], [cls]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                stack.append(sub)
    return seen


def enabled() -> bool:
    return _enabled


def autolog(enable: bool = True) -> None:
    """Turn scikit-learn autolog on (the default once the extension is loaded) or off."""
    global _enabled, _user_disabled, _original_init_subclass
    _user_disabled = not enable
    if enable == _enabled:
        return
    from sklearn.base import BaseEstimator

    if not enable:
        for (cls, name), original in list(_patched.items()):
            setattr(cls, name, original)
        _patched.clear()
        if _original_init_subclass is _NOT_OWN:
            del BaseEstimator.__init_subclass__
        else:
            BaseEstimator.__init_subclass__ = _original_init_subclass
        _enabled = False
        return
    for cls in _all_subclasses(BaseEstimator):
        _patch_class(cls)
    _original_init_subclass = BaseEstimator.__dict__.get("__init_subclass__", _NOT_OWN)

    def init_subclass(cls: type, **kwargs: Any) -> None:
        super(BaseEstimator, cls).__init_subclass__(**kwargs)  # sklearn's own hooks
        _patch_class(cls)

    BaseEstimator.__init_subclass__ = classmethod(init_subclass)  # type: ignore[assignment]
    _enabled = True


def install_when_imported() -> None:
    """Called before each cell: turn autolog on once the user has imported scikit-learn."""
    if not _enabled and not _user_disabled and "sklearn.base" in sys.modules:
        autolog(True)
