"""Cell capture: IPython ``pre_run_cell`` / ``post_run_cell`` hooks that record each cell.

Per cell: source and hash, nbformat cell id, execution count, start, duration, status and
error, the names it read (its AST's loads that exist in the user namespace), the names it
wrote (bound, rebound, or assigned into), and fingerprints of the data among them.
The hot path is an AST parse and one pass over the namespace's ids; anything that goes
wrong goes to the store's capture log, never to the cell. Silent, history-less and nested runs
(a ``run_cell`` inside a magic) are skipped.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Protocol

from .. import events as ev
from ..tracking import Tracker
from . import autolog, incidents
from .fingerprint import describe

#: Namespace entries that IPython manages; never reported as read or written.
_IPYTHON_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})
_MAX_ERROR_CHARS = 2000


class Settings(Protocol):
    """What capture reads from its configuration (the magics class provides it)."""

    fingerprint: bool
    fingerprint_max_bytes: int


@dataclass
class _Pending:
    """What pre_run_cell learned, for post_run_cell to finish."""

    started: float
    t0: float
    source: str
    cell_id: str | None
    names: _Names
    ids: dict[str, int]
    reads: list[str]
    data: list[dict[str, Any]] = field(default_factory=list)


class CellCapture:
    """Records every executed cell of one IPython shell into the tracker's active run."""

    def __init__(self, shell: Any, tracker: Tracker, settings: Settings) -> None:
        self.shell = shell
        self.tracker = tracker
        self.settings = settings
        self.seq = 0
        self._pending: _Pending | None = None
        self._nested = 0
        # id(obj) -> (weakref or None, description): data not written since it was hashed
        self._fingerprints: dict[int, tuple[Any, dict[str, Any]]] = {}
        self._namespace = _Namespace()

    def register(self) -> None:
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)

    def unregister(self) -> None:
        for name, hook in (("pre_run_cell", self.pre_run_cell),
                           ("post_run_cell", self.post_run_cell)):
            with contextlib.suppress(ValueError):
                self.shell.events.unregister(name, hook)

    def pre_run_cell(self, info: Any) -> None:
        if self._pending is not None:  # a run_cell nested inside the running cell
            self._nested += 1
            return
        try:
            if getattr(info, "silent", False) or not getattr(info, "store_history", True):
                return
            autolog.install_when_imported()
            started, t0 = time.time(), time.perf_counter()
            source = info.raw_cell or ""
            names = _names(_parse(info.transformed_cell or source))
            ns = self.shell.user_ns
            self._namespace.refresh(ns)
            ids = self._namespace.ids(ns)
            reads = sorted(n for n in names.loaded if n in ns and _user_name(n))
            self.tracker.ensure_run()
            self.seq += 1
            self.tracker.cell_seq = self.seq
            pending = _Pending(started, t0, source, getattr(info, "cell_id", None), names, ids,
                               reads)
            pending.data = self._describe(ns, reads, "read", cached=True)
            self._pending = pending
        except Exception:
            self._fail("before the cell")

    def post_run_cell(self, result: Any) -> None:
        if self._nested:
            self._nested -= 1
            return
        pending, self._pending = self._pending, None
        if pending is None:  # skipped, or a whitespace-only cell (IPython fires only post)
            return
        try:
            duration_ms = (time.perf_counter() - pending.t0) * 1000.0
            self.tracker.cell_seq = None
            ns = self.shell.user_ns
            self._namespace.refresh(ns)
            names = pending.names
            rebound = {n for n, _ in self._namespace.ids(ns).items() - pending.ids.items()}
            writes = sorted(n for n in rebound | names.bound | names.changed
                            if n in ns and _user_name(n))
            for name in names.touched:  # their cached fingerprints may describe old contents
                self._forget(ns.get(name))
            error = result.error_before_exec or result.error_in_exec
            self.tracker.emit(ev.CELL, {
                "run_id": self.tracker.ensure_run(),
                "seq": self.seq,
                "cell_id": pending.cell_id,
                "execution_count": result.execution_count,
                "source": pending.source,
                "source_hash": hashlib.sha256(pending.source.encode()).hexdigest(),
                "started": pending.started,
                "duration_ms": duration_ms,
                "status": "error" if error is not None else "ok",
                "error_type": type(error).__name__ if error is not None else None,
                "error_message": str(error)[:_MAX_ERROR_CHARS] if error is not None else None,
                "reads": pending.reads,
                "writes": writes,
                "data": pending.data + self._describe(ns, writes, "wrote", cached=False),
            })
        except Exception:
            self._fail("after the cell")

    def _describe(self, ns: dict[str, Any], names: list[str], role: str,
                  cached: bool) -> list[dict[str, Any]]:
        """Fingerprints of the data among ``names``; cached per object until it is written."""
        if not self.settings.fingerprint:
            return []
        out = []
        for name in names:
            obj = ns.get(name)
            if not _is_data(obj):
                continue
            entry = self._fingerprints.get(id(obj)) if cached else None
            if entry is not None and (entry[0] is None or entry[0]() is obj):
                found = entry[1]
            else:
                found = self._fingerprint(obj)
                if found is None:
                    continue
            out.append({**found, "name": name, "role": role})
        return out

    def _fingerprint(self, obj: Any) -> dict[str, Any] | None:
        size = getattr(obj, "nbytes", None)
        if isinstance(size, int) and size > self.settings.fingerprint_max_bytes:
            return None
        found = describe(obj)
        if found is not None:
            try:
                ref = weakref.ref(obj)
            except TypeError:
                ref = None
            self._fingerprints[id(obj)] = (ref, found)
            if len(self._fingerprints) > 4096:  # objects die; keep the cache small
                self._fingerprints = {k: v for k, v in self._fingerprints.items()
                                      if v[0] is not None and v[0]() is not None}
        return found

    def _forget(self, obj: Any) -> None:
        self._fingerprints.pop(id(obj), None)

    def _fail(self, where: str) -> None:
        self._pending = None
        self.tracker.cell_seq = None
        incidents.report(self.tracker.store.root, f"cell capture {where}")


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


class _Namespace:
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
        self.user.extend(k for k in reversed(fresh) if _user_name(k))
        if len(self.known) != len(ns):  # something was deleted: start over once
            self.known = set(ns)
            self.user = [k for k in ns if _user_name(k)]

    def ids(self, ns: dict[str, Any]) -> dict[str, int]:
        """name -> id(value) of the user's names, built without Python-level loops."""
        return dict(zip(self.user, map(id, map(ns.get, self.user)), strict=True))


def _user_name(name: str) -> bool:
    return not name.startswith("_") and name not in _IPYTHON_NAMES


@dataclass
class _Names:
    """What one walk over a cell's AST finds."""

    loaded: set[str] = field(default_factory=set)
    bound: set[str] = field(default_factory=set)  # plain `x = …`, imports, defs, for targets
    changed: set[str] = field(default_factory=set)  # `x[…] = …`, `x.a = …`, inplace=True
    touched: set[str] = field(default_factory=set)  # any other method call on x


_BINDERS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _names(tree: ast.Module | None) -> _Names:
    """Names a cell loads, binds, changes in place, or may change through a method call.

    Identity changes in the namespace catch most bindings; the AST adds rebinding to the
    same object (``y = 2`` twice) and in-place changes, which keep the identity.
    Changed: ``df["x"] = …``, ``a[0] += 1``, ``obj.attr = …``, ``del df["x"]``,
    ``df.drop(…, inplace=True)``. Touched: other method calls (``arr.sort()``): not reported
    as written, but their cached fingerprints are dropped.
    """
    found = _Names()
    if tree is None:
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (found.loaded if isinstance(node.ctx, ast.Load) else found.bound).add(node.id)
        elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(
                node.ctx, (ast.Store, ast.Del)):
            _add_root(found.changed, node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            inplace = any(k.arg == "inplace" and isinstance(k.value, ast.Constant)
                          and k.value.value is True for k in node.keywords)
            _add_root(found.changed if inplace else found.touched, node.func)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.bound.update((a.asname or a.name).split(".")[0] for a in node.names
                               if a.name != "*")
        elif isinstance(node, _BINDERS):
            found.bound.add(node.name)
    return found


def _add_root(target: set[str], node: ast.AST) -> None:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    if isinstance(node, ast.Name):
        target.add(node.id)


def _is_data(obj: Any) -> bool:
    """Cheap pre-check (no imports): pandas 3 reports its classes' module as ``pandas``."""
    return type(obj).__module__.partition(".")[0] in ("pandas", "numpy") and type(
        obj).__name__ in ("DataFrame", "Series", "ndarray")
