"""Models as bytes: saving them in a format their loader can trust, and loading them safely.

Models are saved in a booster's own format (XGBoost, LightGBM), with skops where it can, and
with joblib otherwise; the format is recorded with the version. Anyone who can write to a
shared store can write a model file, so loading one must not run code its file names:
without ``trusted=True`` a skops file may only name data types and the estimator classes of
scikit-learn, XGBoost and LightGBM (:func:`allowed`), and a joblib file (pickle) is refused.
"""

from __future__ import annotations

import importlib
import io
import sys
from functools import cache
from typing import Any

from .exceptions import StoreError

#: Per library, the classes whose subclasses a skops file may name without ``trusted=True``:
#: data types, fitted estimators and the state they hold (trees, CV splitters, scorers,
#: boosters). Building one from a file sets its attributes; it calls nothing the file names.
SAFE_BASES: dict[str, tuple[str, ...]] = {
    "numpy": ("numpy.dtype", "numpy.generic", "numpy.random.Generator",
              "numpy.random.BitGenerator", "numpy.random.RandomState"),
    "scipy": ("scipy.sparse.spmatrix", "scipy.sparse.sparray"),
    "pandas": ("pandas.DataFrame", "pandas.Series", "pandas.Index", "pandas.Categorical",
               "pandas.api.extensions.ExtensionDtype"),
    "collections": ("collections.OrderedDict",),
    "sklearn": ("sklearn.base.BaseEstimator", "sklearn.utils.Bunch", "sklearn.tree._tree.Tree",
                "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
                "sklearn.neighbors.KDTree", "sklearn.neighbors.BallTree",
                "sklearn.metrics.DistanceMetric", "sklearn.metrics._scorer._BaseScorer",
                "sklearn.metrics._scorer._PassthroughScorer",
                "sklearn.model_selection.BaseCrossValidator",
                "sklearn.model_selection.BaseShuffleSplit",
                "sklearn.model_selection._split._RepeatedSplits",
                "sklearn.calibration._CalibratedClassifier",
                "sklearn.neural_network._stochastic_optimizers.BaseOptimizer"),
    "xgboost": ("xgboost.XGBModel", "xgboost.Booster"),
    "lightgbm": ("lightgbm.LGBMModel", "lightgbm.Booster"),
}


def dump_model(model: Any) -> tuple[bytes, str]:
    """(bytes, format): a booster's own format, else skops where it can serialize the
    object, joblib otherwise."""
    native = _dump_booster(model)
    if native is not None:
        return native
    try:
        import skops.io as sio

        return sio.dumps(model), "skops"
    except Exception:  # skops refuses some objects (closures, custom C types)
        import joblib

        buffer = io.BytesIO()
        joblib.dump(model, buffer)
        return buffer.getvalue(), "joblib"


def load_model_bytes(data: bytes, fmt: str, *, trusted: bool = False) -> Any:
    """Rebuild a model. skops: types outside well-known libraries need ``trusted=True``;
    joblib (pickle) can run code, so it needs ``trusted=True`` too."""
    if fmt == "skops":
        import skops.io as sio

        try:
            untrusted = sio.get_untrusted_types(data=data)
        except Exception as e:  # not a zip, no schema, an unknown loader: not our file
            raise StoreError(f"the stored model is not a readable skops file ({e})") from None
        refused = [name for name in untrusted if not allowed(name)]
        if refused and not trusted:
            raise StoreError(f"the model names {len(refused)} type(s) that could run code when "
                             f"loaded ({', '.join(refused[:8])}); load it with trusted=True "
                             f"only if you trust everyone who can write to the store")
        return sio.loads(data, trusted=untrusted)
    if fmt == "joblib":
        if not trusted:
            raise StoreError("this model was saved with joblib (pickle), which can run code "
                             "when loaded; pass trusted=True if you trust where it came from")
        import joblib

        return joblib.load(io.BytesIO(data))
    if fmt in BOOSTER_FORMATS:
        return _load_booster(data, fmt)
    raise StoreError(f"unknown artifact format {fmt!r}; upgrade jupyter-mlops")


#: A booster's own model format: data, so loading one needs no trust. XGBoost's UBJSON keeps
#: every tree and the best iteration; LightGBM's text is what ``save_model`` writes (up to
#: the best iteration when early stopping found one), so both predict as the original.
BOOSTER_FORMATS = ("xgboost-ubj", "lightgbm-text")


def is_booster(model: Any) -> bool:
    """An XGBoost or LightGBM ``Booster``: a model without ``fit``, trained by ``train``."""
    return _dump_booster(model, dump=False) is not None


def _dump_booster(model: Any, *, dump: bool = True) -> tuple[bytes, str] | None:
    xgb, lgb = sys.modules.get("xgboost"), sys.modules.get("lightgbm")
    if xgb is not None and isinstance(model, xgb.Booster):
        return bytes(model.save_raw("ubj")) if dump else b"", "xgboost-ubj"
    if lgb is not None and isinstance(model, lgb.Booster):
        return model.model_to_string().encode() if dump else b"", "lightgbm-text"
    return None


def _load_booster(data: bytes, fmt: str) -> Any:
    try:
        if fmt == "xgboost-ubj":
            import xgboost

            booster = xgboost.Booster()
            booster.load_model(bytearray(data))
            return booster
        import lightgbm

        return lightgbm.Booster(model_str=data.decode())
    except ImportError as e:
        raise StoreError(f"this model is a {fmt.partition('-')[0]} booster: install "
                         f"{e.name} to load it") from None


def allowed(name: str) -> bool:
    """Whether a type skops reports as untrusted (``module.Name``) is safe to build: a class
    of one of :data:`SAFE_BASES`' libraries deriving from a safe base, or a metric function
    that scikit-learn's named scorers use. Only those libraries are imported (never the
    module a file names): a name resolves only if its module is already loaded."""
    module, _, attr = name.rpartition(".")
    library = module.partition(".")[0]
    if library not in SAFE_BASES:
        return False
    bases = _bases(library)
    target = getattr(sys.modules.get(module), attr, None)
    if isinstance(target, type):
        return issubclass(target, bases)
    return library == "sklearn" and callable(target) and target in _scorer_functions()


@cache
def _bases(library: str) -> tuple[type, ...]:
    found = []
    for path in SAFE_BASES[library]:
        module, _, attr = path.rpartition(".")
        try:
            found.append(getattr(importlib.import_module(module), attr))
        except (ImportError, AttributeError):  # a version without it: its types stay refused
            continue
    return tuple(found)


@cache
def _scorer_functions() -> frozenset[Any]:
    """The metric functions behind ``scoring="roc_auc"`` & co, as a search stores them."""
    from sklearn.metrics import get_scorer, get_scorer_names

    return frozenset(f for f in (getattr(get_scorer(n), "_score_func", None)
                                 for n in get_scorer_names()) if f is not None)


def check_fitted(model: Any) -> None:
    """A ``TypeError`` for what is no fitted model (register() names what it got)."""
    if not is_booster(model) and not (
            hasattr(model, "fit") and (hasattr(model, "predict") or hasattr(model, "transform"))):
        raise TypeError(f"register() takes a fitted model (an object with fit and predict or "
                        f"transform, or a booster), not a {type(model).__name__}")
    try:
        from sklearn.base import BaseEstimator
        from sklearn.exceptions import NotFittedError
        from sklearn.utils.validation import check_is_fitted
    except ImportError:  # pragma: no cover - scikit-learn is a dependency
        return
    if isinstance(model, BaseEstimator):
        try:
            check_is_fitted(model)
        except NotFittedError:
            raise TypeError(f"this {type(model).__name__} is not fitted yet: call fit() "
                            f"before register()") from None
