"""Content-addressed artifacts under the store, and model (de)serialization.

Files live at ``artifacts/<sha256[:2]>/<sha256>``, written to a temporary name and renamed,
so a reader never sees half a file and the same content is stored once. Models are saved
with skops where it can (its loader only builds types it is told to trust) and with joblib
otherwise; the format is recorded with the version and every load verifies the hash.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Any

from .store import Store, StoreError

#: Modules whose types a skops artifact may contain without ``trusted=True``.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.")


def path_of(store: Store, sha256: str) -> Path:
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


def get(store: Store, sha256: str) -> bytes:
    """The artifact's bytes, after checking they still hash to ``sha256``."""
    target = path_of(store, sha256)
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise StoreError(f"artifact {sha256[:12]} is missing from {target.parent}; the store "
                         f"was copied without its artifacts/ folder?") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StoreError(f"artifact {sha256[:12]} at {target} was modified after it was "
                         f"stored (its sha256 no longer matches); refusing to load it")
    return data


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

        untrusted = sio.get_untrusted_types(data=data)
        unknown = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
        if unknown and not trusted:
            raise StoreError(f"the model contains types from outside scikit-learn/numpy/scipy "
                             f"({', '.join(unknown[:5])}); load it with trusted=True if you "
                             f"trust where it came from")
        return sio.loads(data, trusted=untrusted)
    if fmt == "joblib":
        if not trusted:
            raise StoreError("this model was saved with joblib (pickle), which can run code "
                             "when loaded; pass trusted=True if you trust where it came from")
        import joblib

        return joblib.load(io.BytesIO(data))
    raise StoreError(f"unknown artifact format {fmt!r}; upgrade jupyter-mlops")
