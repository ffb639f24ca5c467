"""Content-addressed artifacts under the store, and model (de)serialization.

Files live at ``artifacts/<sha256[:2]>/<sha256>``, written to a temporary name and renamed,
so a reader never sees half a file and the same content is stored once. A user's file is
hashed while it is copied (one read), or cloned where the filesystem can (reflink); it is
never hard-linked: a file rewritten in place (``df.to_csv`` again) would change the stored
blob under every run that kept it. Models are saved
with skops where it can (its loader only builds types it is told to trust) and with joblib
otherwise; the format is recorded with the version and every load verifies the hash.

Anyone who can write to a shared store can write a model file, so loading one must not run
code its file names: without ``trusted=True`` a skops file may only name data types and the
estimator classes of scikit-learn, XGBoost and LightGBM (:func:`allowed`).
"""

from __future__ import annotations

import hashlib
import importlib
import io
import os
import re
import sys
import types
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .exceptions import BadArtifact, StoreError
from .store import Store

if TYPE_CHECKING:
    import pandas as pd

_CHUNK = 4 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FICLONE = 0x40049409  # Linux ioctl: a copy-on-write clone of a whole file
#: The media type of a logged folder; its sha256 is that of its manifest (a JSON list).
DIRECTORY = "inode/directory"

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


def path_of(store: Store, sha256: str) -> Path:
    """Where a blob lives; anything but 64 hex digits (a hostile event's ``../..``) is refused."""
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise StoreError(f"{str(sha256)[:80]!r} is not an artifact's sha256 (64 hex digits)")
    return store.root / "artifacts" / sha256[:2] / sha256


def put(store: Store, data: bytes, *, durable: bool = True) -> str:
    """Store bytes once; returns their sha256. ``durable=False`` skips the fsync (autolog's
    per-fit artifacts, like a kernel's cells, are not worth a disk flush each)."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_of(store, digest)
    if target.exists():
        return digest
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{digest}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        tmp.replace(target)
    except OSError as e:
        raise StoreError(f"cannot write the artifact to {target.parent}: {e.strerror}") from None
    return digest


def put_file(store: Store, path: Path) -> tuple[str, int]:
    """Store a file once, hashing it as it is copied (or cloned); returns (sha256, size).
    The bytes hashed are the bytes written (one read); a large file is written in a thread
    while its next piece is hashed. No fsync: like a kernel's events, a blob reaches the
    page cache at once and the disk soon."""
    digest, size = hashlib.sha256(), 0
    folder = store.root / "artifacts"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{os.getpid()}.{id(digest):x}.tmp"
        with open(path, "rb") as src, open(tmp, "wb") as dst, ThreadPoolExecutor(1) as pool:
            cloned = _clone(src, dst)
            buffer = memoryview(bytearray(_CHUNK))
            while n := src.readinto(buffer):
                piece = buffer[:n]
                written = None if cloned else pool.submit(dst.write, piece)
                digest.update(piece)  # releases the GIL: hashing overlaps the write
                if written is not None:
                    written.result()
                size += n
        sha = digest.hexdigest()
        target = path_of(store, sha)
        if target.exists():
            tmp.unlink()
        else:
            target.parent.mkdir(exist_ok=True)
            tmp.replace(target)
    except PermissionError:
        raise BadArtifact(f"cannot read {path}: permission denied; make it readable "
                          f"(chmod u+r) or log a copy") from None
    except OSError as e:
        raise StoreError(f"cannot store {path} under {folder}: {e.strerror}") from None
    return sha, size


def _clone(src: Any, dst: Any) -> bool:
    """A reflink of ``src`` into ``dst`` where the filesystem has them (btrfs, XFS)."""
    try:
        import fcntl

        fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
        return True
    except (ImportError, OSError):
        return False


def payload(run_id: str, seq: int | None, name: str, kind: str, sha256: str, size: int,
            media: str, files: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The ``artifact`` event's payload (:data:`jupyter_mlops.events.ARTIFACT`)."""
    return {"run_id": run_id, "seq": seq, "name": name, "kind": kind, "sha256": sha256,
            "size": size, "media_type": media, "files": files or []}


class _Listing(types.ModuleType):
    """``mlops.artifacts(run)``: importing this module sets it as the package's
    ``artifacts`` attribute, so the module itself answers the call."""

    def __call__(self, run: str, *, store: Store | str | os.PathLike[str] | None = None
                 ) -> pd.DataFrame:
        """A run's artifacts (an id or unique prefix), one row each: run_id, seq (the cell;
        NA: none), name, kind, media_type, size, sha256, ts (UTC), event_id."""
        from .store import queries

        return queries.artifacts(store if isinstance(store, Store) else Store.open(store), run)


sys.modules[__name__].__class__ = _Listing


def get(store: Store, sha256: str) -> bytes:
    """The artifact's bytes, after checking they still hash to ``sha256``."""
    target = path_of(store, sha256)
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise _missing(sha256, target) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StoreError(f"artifact {sha256[:12]} at {target} was modified after it was "
                         f"stored (its sha256 no longer matches); refusing to load it")
    return data


def _missing(sha256: str, target: Path) -> StoreError:
    return StoreError(f"artifact {sha256[:12]} is missing from {target.parent}; the store "
                      f"was copied without its artifacts/ folder?")


def chunks(store: Store, sha256: str) -> Iterator[bytes]:
    """The artifact's bytes in pieces, for streaming it out (a missing file is an error now,
    not at the first piece). The hash is checked as it goes: a file modified in the store
    ends the stream with a StoreError after its last piece, never passes for the artifact."""
    target = path_of(store, sha256)
    if not target.is_file():
        raise _missing(sha256, target)
    return _pieces(target, sha256)


def _pieces(target: Path, sha256: str) -> Iterator[bytes]:
    digest = hashlib.sha256()
    with open(target, "rb") as f:
        while piece := f.read(_CHUNK // 4):
            digest.update(piece)
            yield piece
    if digest.hexdigest() != sha256:
        raise StoreError(f"artifact {sha256[:12]} at {target} was modified after it was "
                         f"stored (its sha256 no longer matches)")


def dump_model(model: Any) -> tuple[bytes, str]:
    """(bytes, format): skops where it can serialize the object, joblib otherwise."""
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
    raise StoreError(f"unknown artifact format {fmt!r}; upgrade jupyter-mlops")


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
