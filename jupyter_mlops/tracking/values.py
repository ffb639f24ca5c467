"""What of a logged param or metric can be recorded, and as what.

A param is recorded as well as JSON can hold it (containers followed, a cycle or an object
as text), a metric as a float (too large: infinity); a bad name or a value that cannot be
recorded at all is left out. Nothing raises: each problem is a sentence for the tracker's
one warning per key and problem.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

#: A converter: (key, value, problems) -> the value to record, or :data:`SKIP`.
Converter = Callable[[str, Any, list[str]], Any]


def clean(values: Any, what: str, convert: Converter, problems: list[str]) -> dict[str, Any]:
    """What of ``values`` can be recorded: each key a non-empty string, each value as
    ``convert`` makes it; what cannot is left out, and ``problems`` says why."""
    try:
        items = list(values.items()) if isinstance(values, Mapping) else None
    except Exception:  # a mapping whose items() raises
        items = None
    if items is None:
        problems.append(f"{what}s are given as a dict of name to value, not this "
                        f"{type(values).__name__}: nothing recorded")
        return {}
    out = {}
    for key, value in items:
        if type(key) is not str or not key.strip():
            problems.append(f"{what} name {shown(key)} is not a non-empty string: left out")
            continue
        converted = convert(key, value, problems)
        if converted is not SKIP:
            out[key] = converted
    return out


def check_key(key: Any, what: str) -> str:
    """``key`` if it is a non-empty string; raises ``ValueError`` naming ``what`` if not."""
    if type(key) is not str or not key.strip():
        raise ValueError(f"{what} must be a non-empty string, got {key!r}")
    return key


#: What a converter returns for a value it cannot record at all.
SKIP = object()
#: How deep a param's containers are followed (JSON encoders recurse).
_MAX_DEPTH = 32
#: Values JSON holds as they are.
_PLAIN = frozenset({str, bool, float, type(None)})


def shown(value: Any) -> str:
    """A short repr for a warning, whatever the object does."""
    try:
        text = repr(value)
    except Exception:
        return f"<{type(value).__qualname__}>"
    return text if len(text) <= 40 else text[:37] + "..."


def metric_value(key: str, value: Any, problems: list[str]) -> Any:
    if type(value) is float:  # the common case, without the ABC check
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        problems.append(f"metric {key!r} must be a number, not {type(value).__name__}: left "
                        f"out; log other values with log_param")
        return SKIP
    try:
        return float(value)
    except OverflowError:
        problems.append(f"metric {key!r} is too large for a float: recorded as infinity")
        return float("inf") if value > 0 else float("-inf")  # type: ignore[operator]
    except Exception as e:  # a Real whose __float__ fails
        problems.append(f"metric {key!r} cannot be read as a number ({type(e).__name__}): "
                        f"left out")
        return SKIP


def param_value(key: str, value: Any, problems: list[str]) -> Any:
    """``value`` as JSON can hold it: containers followed (a cycle becomes ``"[...]"``), a
    whole number beyond 64 bits and any other object become text (its repr)."""
    found: list[str] = []
    clean = _jsonable(value, set(), 0, found)
    if found:
        problems.extend(f"param {key!r}: {problem}" for problem in dict.fromkeys(found))
    return clean


def _jsonable(value: Any, active: set[int], depth: int, problems: list[str]) -> Any:
    kind = type(value)
    if kind in _PLAIN or (kind is int and -2**63 <= value < 2**64):  # without the ABC checks
        return value
    if kind in (list, tuple, dict):
        return _container(value, active, depth, problems)
    if isinstance(value, str):  # a subclass: its text, whatever its __str__ does
        return str.__str__(value)
    if isinstance(value, numbers.Integral):  # int, numpy integers
        value = int(value)
        if -2**63 <= value < 2**64:
            return value
        problems.append("a whole number beyond 64 bits, recorded as text")
        return str(value) if value.bit_length() < 14000 else f"{value.bit_length()}-bit integer"
    if isinstance(value, numbers.Real):  # numpy floats, Fraction, Decimal
        try:
            return float(value)
        except Exception:
            return _repr(value, problems)
    if isinstance(value, (Mapping, list, tuple, set, frozenset)):
        return _container(value, active, depth, problems)
    return _repr(value, problems)


def _container(value: Any, active: set[int], depth: int, problems: list[str]) -> Any:
    """A mapping as a dict with string keys, any other collection as a list."""
    if id(value) in active:
        problems.append("it contains itself; the inner reference is recorded as '[...]'")
        return "[...]"
    if depth >= _MAX_DEPTH:
        problems.append(f"nested deeper than {_MAX_DEPTH}; the rest is recorded as text")
        return _repr(value, problems)
    active.add(id(value))
    try:
        if type(value) is dict or isinstance(value, Mapping):
            return {k if type(k) is str else _repr(k, problems):
                    _jsonable(v, active, depth + 1, problems) for k, v in value.items()}
        return [_jsonable(v, active, depth + 1, problems) for v in value]
    except Exception as e:  # a container whose iteration raises
        problems.append(f"reading a {type(value).__name__} in it raised "
                        f"{type(e).__name__}; recorded as its repr")
        return _repr(value, problems)
    finally:
        active.discard(id(value))


def _repr(value: Any, problems: list[str]) -> str:
    try:
        return repr(value)
    except Exception as e:
        problems.append(f"its repr raised {type(e).__name__}; recorded as its type")
        return f"<{type(value).__module__}.{type(value).__qualname__}>"
