"""Autolog: each fit the user makes is one record, from the moment scikit-learn is imported.

On: :func:`install_when_imported` (called when the extension loads) turns autolog on if
scikit-learn is imported, and otherwise puts a finder on ``sys.meta_path`` that does it right
after ``sklearn.base`` executes, so a fit in the very cell that imports scikit-learn (or
XGBoost or LightGBM, which import it) is recorded. ``autolog(False)`` wins over both.

What: ``fit``, ``fit_transform`` and ``partial_fit`` of each ``BaseEstimator`` subclass, also
classes created later (through ``__init_subclass__``: XGBoost's and LightGBM's scikit-learn
estimators are such subclasses), and ``cross_val_score`` / ``cross_validate`` as one record
with the fold scores (patched as ``sklearn.model_selection._validation`` is imported); and
XGBoost's and LightGBM's own ``train`` and ``cv`` (wrapped as each library is imported; what
they record: :mod:`.autolog_boosting`).

Whose: a call is the user's when it is the outermost wrapped call on its thread (a
thread-local depth) and the calling frame's module is not in a fitting library (scikit-learn,
XGBoost, LightGBM) — unless that frame is a library method of the same object
(``TransformerMixin.fit_transform`` calling ``self.fit``). So cross-validation, search
internals, metrics' label encoders and pipeline steps are no records of their own (their
parallel workers call ``fit`` from scikit-learn functions too), while a user's own loop of
fits is the user's, even through ``joblib.Parallel``. One frame look-up per fit: no stack walk.

What a record holds, and the fitted object's link to it: :mod:`.fit_records`. Recording
never changes what a call returns or raises; a failure in it is an incident in the
store's capture log (:mod:`.incidents`), never output in the cell. ``autolog(False)`` leaves
the wrappers in place, passing calls straight through (see _hook_subclasses for why).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.abc
import sys
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from types import FrameType, ModuleType
from typing import Any

from . import autolog_boosting, incidents
from .fit_records import (
    Prepare,
    Prepared,
    last_fit,
    params_of,
    record_cross_validation,
    record_fit,
)
from .recorder import store_root

__all__ = ["autolog", "install_when_imported", "last_fit", "params_of"]

METHODS = ("fit", "fit_transform", "partial_fit")
CROSS_VALIDATION = ("cross_val_score", "cross_validate")
_LIBRARIES = frozenset({"sklearn", "xgboost", "lightgbm"})
_VALIDATION = "sklearn.model_selection._validation"
_state = threading.local()
_enabled = False
_user_disabled = False  # autolog(False) was called: do not turn it back on by itself
_hooked = False  # BaseEstimator.__init_subclass__ wraps each new subclass

Record = Callable[[tuple[Any, ...], dict[str, Any], Any, float, str], None]

def _users_call(obj: Any, frame: FrameType | None) -> str | None:
    """The method name to record if the outermost call came from the user, else None.

    A library frame counts as the user's only when it is a method of the same object (a
    mixin's ``fit_predict`` calling ``self.fit``, or a decorator's wrapper) that was itself
    called by the user (not by a library's parallel worker, whose thread has no depth); the
    outer method's name is recorded when it is a ``fit…`` one.
    """
    if frame is None or frame.f_globals.get("__name__", "").partition(".")[0] not in _LIBRARIES:
        return ""
    code = frame.f_code
    if code.co_argcount and code.co_varnames[0] == "self" and frame.f_locals.get("self") is obj:
        outer = _users_call(obj, frame.f_back)
        if outer is None:
            return None
        return outer or (code.co_name if code.co_name.startswith("fit") else "")
    return None


def recording(record: Record) -> Prepare:
    """A :data:`Prepare` that calls as the user did and then ``record``s the call."""
    def prepare(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Prepared:
        return args, kwargs, lambda result, seconds, method: record(
            args, kwargs, result, seconds, method)

    return prepare


def _tracked(original: Callable[..., Any], name: str, prepare: Prepare) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _enabled:  # turned off: wrappers stay in place, inert (see _hook_subclasses)
            return original(*args, **kwargs)
        depth = getattr(_state, "depth", 0)
        method = _users_call(args[0] if args else None, sys._getframe(1)) if not depth else None
        done = None
        if method is not None:
            try:
                args, kwargs, done = prepare(args, kwargs)
            except Exception:
                incidents.report(store_root(), f"autolog: preparing {name}")
        _state.depth = depth + 1
        started = time.perf_counter()
        try:
            result = original(*args, **kwargs)
        finally:
            _state.depth = depth
        if done is not None:
            try:
                with warnings.catch_warnings():  # a library's warning is not the user's
                    warnings.simplefilter("ignore")
                    done(result, time.perf_counter() - started, method or name)
            except Exception:
                incidents.report(store_root(), f"autolog: recording {name}")
        return result

    wrapper._jupyter_mlops = True  # type: ignore[attr-defined]
    return wrapper


def _wrap(owner: Any, attribute: str, prepare: Prepare, name: str | None = None) -> None:
    """Wrap ``owner.attribute``, recorded as method ``name`` (default: the attribute)."""
    original = owner.__dict__[attribute]
    if not getattr(original, "_jupyter_mlops", False):  # (also set on a wrapper of ours)
        setattr(owner, attribute, _tracked(original, name or attribute, prepare))


def _patch_class(cls: type) -> None:
    for name in METHODS:
        found = cls.__dict__.get(name)
        if callable(found):
            _wrap(cls, name, recording(record_fit))
        elif callable(getattr(found, "fn", None)):  # scikit-learn's available_if descriptor
            # (Pipeline.fit_transform, partial_fits)
            _wrap(found, "fn", recording(record_fit), name)


def _patch_validation(module: ModuleType) -> None:
    """Wrap cross_val_score/cross_validate where they are defined, and where
    ``sklearn.model_selection`` re-exported them if it already has (a wrapper that never
    leaves also keeps a user's ``from sklearn.model_selection import cross_val_score``
    recorded after autolog was off and on again)."""
    package = sys.modules.get("sklearn.model_selection")
    for name in CROSS_VALIDATION:
        original = module.__dict__[name]
        _wrap(module, name, recording(record_cross_validation))
        if package is not None and package.__dict__.get(name) is original:
            _wrap(package, name, recording(record_cross_validation))


def _all_subclasses(cls: type) -> list[type]:
    seen: list[type] = []
    stack = [cls]
    while stack:
        subclasses: list[type] = stack.pop().__subclasses__()
        for sub in subclasses:
            if sub not in seen:
                seen.append(sub)
                stack.append(sub)
    return seen


def autolog(enable: bool = True) -> None:
    """Record the fits the user makes (scikit-learn, XGBoost, LightGBM estimators,
    cross-validation, and XGBoost's and LightGBM's own ``train`` and ``cv``): on by default
    once the extension is loaded; ``False`` turns it off until it is called with ``True``."""
    global _enabled, _user_disabled
    _user_disabled = not enable
    if enable == _enabled:
        return
    if enable:
        from sklearn.base import BaseEstimator

        _hook_subclasses(BaseEstimator)
        if _VALIDATION in sys.modules:
            _patch_validation(sys.modules[_VALIDATION])
    _enabled = enable


def _hook_subclasses(base: type) -> None:
    """Wrap every subclass of ``base`` there is, and each one created from now on.

    The hook runs inside the chain of ``__init_subclass__``: a mixin later in it may wrap
    our wrapper again (scikit-learn's ``set_output`` wraps ``fit_transform``), so wrappers
    are never taken out; turned off, they only pass the call through.
    """
    global _hooked
    for cls in _all_subclasses(base):
        _patch_class(cls)
    if _hooked:
        return
    own = base.__dict__.get("__init_subclass__")

    def init_subclass(cls: Any, /, **kwargs: Any) -> None:
        if own is not None:
            own.__func__(cls, **kwargs)
        else:
            # the mixins' own hooks (mypy cannot see that ``base`` is a class here)
            super(base, cls).__init_subclass__(**kwargs)  # type: ignore[arg-type]
        _patch_class(cls)

    base.__init_subclass__ = classmethod(init_subclass)  # type: ignore[assignment,method-assign]
    _hooked = True


def _on_sklearn_base(module: ModuleType) -> None:
    if not _user_disabled:
        autolog(True)


def _patch_native(module: ModuleType) -> None:
    """Wrap XGBoost's or LightGBM's own training API (:mod:`.autolog_boosting`)."""
    for owner, attribute, prepare in autolog_boosting.targets(module):
        _wrap(owner, attribute, prepare)


_NATIVE = ("xgboost", "lightgbm")
_AFTER_IMPORT: dict[str, Callable[[ModuleType], None]] = {
    "sklearn.base": _on_sklearn_base, _VALIDATION: _patch_validation,
    **dict.fromkeys(_NATIVE, _patch_native)}


class _AfterImport(importlib.abc.MetaPathFinder):
    """A post-import hook: runs the module's callback right after a watched module executes.

    It finds the module's spec through the other finders and has that spec's own loader
    call back once the module has run; everything else is the normal import.
    """

    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> Any:
        callback = _AFTER_IMPORT.get(name)
        if callback is None:
            return None
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, "find_spec"):
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        execute = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            with contextlib.suppress(AttributeError):
                del loader.exec_module  # once: the loader is this module's own
            execute(module)
            try:
                callback(module)
            except Exception:
                incidents.report(store_root(), f"autolog: after importing {name}")

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_finder = _AfterImport()


def install_when_imported() -> None:
    """Turn autolog on now if scikit-learn is imported, else as soon as it is; idempotent.
    XGBoost's and LightGBM's own APIs are wrapped now or as each is imported."""
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    for name in _NATIVE:
        if name in sys.modules:
            _patch_native(sys.modules[name])
    if not _enabled and not _user_disabled and "sklearn.base" in sys.modules:
        autolog(True)
