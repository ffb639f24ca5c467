"""Content fingerprints of DataFrames, Series and arrays.

Deterministic across processes and independent of memory layout: an array is hashed in
C order whatever its strides, a DataFrame column by column, so a C- and an F-ordered copy
of the same data agree. Numeric buffers go through xxh3-128 at memory speed, in bounded
chunks; only object and extension columns fall back to ``pandas.util.hash_pandas_object``.
pandas and numpy are never imported here: an object can only be one of theirs if its
module is already loaded.
"""

from __future__ import annotations

import sys
from typing import Any

import xxhash

#: Rows hashed per step of a non-contiguous array (bounds the temporary copy).
CHUNK_BYTES = 64 * 1024 * 1024


def describe(obj: Any) -> dict[str, Any] | None:
    """Fingerprint, kind, shape, schema and size of ``obj``, or None if it is not data."""
    np = sys.modules.get("numpy")
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(obj, pd.DataFrame):
        h = _hasher("DataFrame", obj.shape)
        h.update(repr([(str(c), str(t)) for c, t in obj.dtypes.items()]).encode())
        _hash_index(h, obj.index, pd, np)
        for i in range(obj.shape[1]):
            _hash_values(h, obj.iloc[:, i], pd, np)
        return _result(h, "DataFrame", obj.shape,
                       {str(c): str(t) for c, t in obj.dtypes.items()},
                       int(obj.memory_usage(index=False, deep=False).sum()))
    if pd is not None and isinstance(obj, pd.Series):
        h = _hasher("Series", obj.shape)
        h.update(repr((str(obj.name), str(obj.dtype))).encode())
        _hash_index(h, obj.index, pd, np)
        _hash_values(h, obj, pd, np)
        return _result(h, "Series", obj.shape, {str(obj.name): str(obj.dtype)},
                       int(obj.memory_usage(index=False, deep=False)))
    if np is not None and isinstance(obj, np.ndarray):
        h = _hasher("ndarray", obj.shape)
        h.update(obj.dtype.str.encode())
        _hash_array(h, obj, pd, np)
        return _result(h, "ndarray", obj.shape, {"dtype": str(obj.dtype)}, int(obj.nbytes))
    return None


def size(obj: Any) -> int:
    """Bytes of ``obj``'s data, cheaply (no hashing, no deep walk of objects): what
    ``fingerprint_max_bytes`` is compared with. A DataFrame has no integer ``nbytes``."""
    nbytes = getattr(obj, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    usage = getattr(obj, "memory_usage", None)
    if callable(usage):
        try:
            return int(usage(index=False, deep=False).sum())
        except (TypeError, ValueError, AttributeError):
            return 0
    return 0


def fingerprint(obj: Any) -> str:
    """The fingerprint alone; raises TypeError for objects that are not data."""
    found = describe(obj)
    if found is None:
        raise TypeError(f"cannot fingerprint a {type(obj).__name__}: "
                        f"expected a pandas DataFrame or Series or a numpy array")
    return str(found["fingerprint"])


def _hasher(kind: str, shape: tuple[int, ...]) -> xxhash.xxh3_128:
    h = xxhash.xxh3_128()
    h.update(f"{kind}{tuple(shape)}".encode())
    return h


def _result(h: xxhash.xxh3_128, kind: str, shape: tuple[int, ...], schema: dict[str, str],
            nbytes: int) -> dict[str, Any]:
    return {"fingerprint": h.hexdigest(), "kind": kind, "shape": [int(s) for s in shape],
            "schema": schema, "nbytes": nbytes}


def _hash_array(h: xxhash.xxh3_128, arr: Any, pd: Any, np: Any) -> None:
    if arr.dtype.hasobject:
        _hash_objects(h, arr.ravel(order="C"), pd)
        return
    if arr.flags.c_contiguous:
        h.update(arr.reshape(-1).view(np.uint8))
        return
    row_bytes = arr.itemsize * int(np.prod(arr.shape[1:]))
    rows = max(1, CHUNK_BYTES // max(1, row_bytes))
    for start in range(0, arr.shape[0], rows):
        h.update(np.ascontiguousarray(arr[start:start + rows]).reshape(-1).view(np.uint8))


def _hash_values(h: xxhash.xxh3_128, values: Any, pd: Any, np: Any) -> None:
    """One column: plain numpy dtypes by buffer, categoricals by codes, others by pandas."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and not dtype.hasobject:
        _hash_array(h, values.to_numpy(copy=False), pd, np)
    elif isinstance(dtype, pd.CategoricalDtype):
        _hash_array(h, np.asarray(values.cat.codes), pd, np)
        _hash_index(h, dtype.categories, pd, np)
    else:
        _hash_objects(h, values, pd)


def _hash_objects(h: xxhash.xxh3_128, values: Any, pd: Any) -> None:
    """All-string columns as their lengths plus their UTF-8 bytes (injective, and several
    times faster than pandas' per-element hashing); other objects through pandas where it
    can; by ``repr`` for unhashable values (dicts, lists)."""
    items = values.tolist() if hasattr(values, "tolist") else list(values)
    try:
        joined = "".join(items)
    except TypeError:  # not all strings (a NaN, a number, a dict …)
        pass
    else:
        lengths = list(map(len, items))
        h.update(repr(lengths).encode() if len(lengths) < 64 else _int_bytes(lengths))
        h.update(joined.encode("utf-8", "surrogatepass"))
        return
    if pd is not None:
        try:
            hashed = (pd.util.hash_pandas_object(values, index=False)
                      if isinstance(values, pd.Series) else pd.util.hash_array(values))
            h.update(hashed.to_numpy() if isinstance(hashed, pd.Series) else hashed)
            return
        except TypeError:
            pass
    h.update("\x1f".join(map(repr, values)).encode())


def _int_bytes(values: list[int]) -> bytes:
    import numpy as np

    return np.asarray(values, dtype=np.int64).tobytes()


def _hash_index(h: xxhash.xxh3_128, index: Any, pd: Any, np: Any) -> None:
    if isinstance(index, pd.RangeIndex):
        h.update(f"range({index.start},{index.stop},{index.step})".encode())
        return
    h.update(repr((type(index).__name__, str(index.dtype), list(index.names))).encode())
    if isinstance(index.dtype, np.dtype) and not index.dtype.hasobject:
        _hash_array(h, index.to_numpy(), pd, np)
    else:
        _hash_objects(h, pd.Series(index.to_flat_index(), dtype=object), pd)
