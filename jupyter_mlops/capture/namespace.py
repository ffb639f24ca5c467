"""The user's namespace as capture sees it: which names are the user's, which of them
changed binding, which are modules, and which values are data worth a fingerprint."""

from __future__ import annotations

import types
from typing import Any

#: Namespace entries that IPython manages; never reported as read or written.
_IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})


class Namespace:
    """The user's names in the namespace, kept up to date in O(new names) per cell.

    IPython adds ``_iN`` (and ``_N``) keys for every cell, so a long session's namespace
    holds thousands of keys; scanning them all twice a cell would cost milliseconds. Dicts
    keep insertion order, so the keys added since the last look are those after the last
    known one: walking the dict backwards stops at the first known key. Deletions are
    noticed by the size and resolved by one full rescan.
    """

    def __init__(self) -> None:
        self.known: set[str] = set()
        self.user: list[str] = []

    def refresh(self, ns: dict[str, Any]) -> None:
        fresh = []
        for key in reversed(ns):
            if key in self.known:
                break
            fresh.append(key)
        self.known.update(fresh)
        self.user.extend(k for k in reversed(fresh) if user_name(k))
        if len(self.known) != len(ns):  # something was deleted: start over once
            self.known = set(ns)
            self.user = [k for k in ns if user_name(k)]

    def ids(self, ns: dict[str, Any]) -> dict[str, int]:
        """name -> id(value) of the user's names, built without Python-level loops."""
        return dict(zip(self.user, map(id, map(ns.get, self.user)), strict=True))


class Modules:
    """The namespace's names bound to modules, asked one name at a time (no scan)."""

    def __init__(self, ns: dict[str, Any]) -> None:
        self.ns = ns

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and isinstance(self.ns.get(name), types.ModuleType)


def user_name(name: str) -> bool:
    """Not IPython's own (``In``, ``_i3``, ``_``…) nor private."""
    return not name.startswith("_") and name not in _IPYTHON_NAMES


def is_data(obj: Any) -> bool:
    """Cheap pre-check (no imports): pandas 3 reports its classes' module as ``pandas``."""
    kind = type(obj)  # the name first: it rejects most of a namespace at once
    return kind.__name__ in ("DataFrame", "Series", "ndarray") and kind.__module__.partition(
        ".")[0] in ("pandas", "numpy")
