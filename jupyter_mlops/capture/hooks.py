"""Cell capture: IPython ``pre_run_cell`` / ``post_run_cell`` hooks that record each cell.

Per cell: source and hash, nbformat cell id, execution count, start, the user's code's
duration and capture's own time, status and error, the names it read and wrote, per
top-level statement too (the rule of ``docs/dataflow.md``, computed by :mod:`.dataflow`),
and fingerprints of the data among them. The AST gives what the source shows; the
namespace's identities add rebinding it cannot see (``exec``, ``from m import *``, a
function's ``global``), and a data object's fingerprint before and after turns a method call
on it into a write when its contents changed. Anything that goes wrong goes to the store's
capture log (:mod:`.incidents`), never to the cell. Silent, history-less and nested runs (a
``run_cell`` inside a magic) are skipped.

Cost (``docs/benchmarks.md``, ``python -m tests.bench bench_capture``): what the user waits
for is the three steps, so each stays short. ``pre_run_cell`` only stamps the cell. The
dataflow is computed on the tree IPython itself parses: :meth:`CellCapture.register` wraps
the shell compiler's ``ast_parse``, which IPython calls after ``pre_run_cell`` and before
the code runs, so the names read and the fingerprints of their data are taken before the
cell, as the rule needs, without a second ``ast.parse`` (1.1-1.3 ms for 200 lines, twice the
analysis). A cell IPython does not parse with that compiler (``shell_futures=False``) is
parsed here; a cell that never ran (syntax error) is analysed after, its namespace
unchanged. Moving the analysis after the cell would not shorten the wait:
``post_run_cell`` runs before the kernel replies and goes idle.
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
from . import dataflow, incidents
from .fingerprint import describe, size
from .namespace import Modules, Namespace, is_data, user_name
from .recorder import Recorder

_MAX_ERROR_CHARS = 2000
#: Analyses kept for re-run cells. Each holds a few hundred objects for a long cell: kept
#: by the hundred, they pushed the collector into generation-1 and -2 passes inside the hooks.
_FLOWS_KEPT = 64


class Settings(Protocol):
    """What capture reads from its configuration (the magics class provides it)."""

    fingerprint: bool
    fingerprint_max_bytes: int


@dataclass
class _Pending:
    """What pre_run_cell (and the parse after it) learned, for post_run_cell to finish."""

    started: float
    t0: float  # when pre_run_cell ended: capture's own work before it is not counted
    spent: float  # seconds capture spent in pre_run_cell
    source: str
    cell_id: str | None
    transformed: str  # the source IPython parses and runs
    ids: dict[str, int]
    flow: dataflow.Flow | None = None  # None until the cell is parsed
    reads: list[str] = field(default_factory=list)
    data: list[dict[str, Any]] = field(default_factory=list)
    inside: float = 0.0  # seconds capture spent inside IPython's parse


class CellCapture:
    """Records every executed cell of one IPython shell into the tracker's active run."""

    def __init__(self, shell: Any, tracker: Recorder, settings: Settings) -> None:
        self.shell = shell
        self.tracker = tracker
        self.settings = settings
        self.seq = 0  # the cell's position in its run, from 1
        self._seq_run: str | None = None  # the run self.seq counts in
        self._pending: _Pending | None = None
        self._nested = 0
        # id(obj) -> (weakref or None, description): data not written since it was hashed
        self._fingerprints: dict[int, tuple[Any, dict[str, Any]]] = {}
        self._namespace = Namespace()
        #: the session's functions (and classes) -> their free globals, read when called
        self.functions: dict[str, frozenset[str]] = {}
        # source -> its dataflow, valid while the function table is unchanged: re-running a
        # cell (the common case) costs no analysis
        self._flows: dict[str, dataflow.Flow] = {}
        self._parse: Any = None  # our wrapper of the shell's compiler's ast_parse

    def register(self) -> None:
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)
        compiler = self.shell.compile
        parse = compiler.ast_parse

        def ast_parse(source: str, *args: Any, **kwargs: Any) -> ast.Module:
            tree: ast.Module = parse(source, *args, **kwargs)
            self._parsed(source, tree)
            return tree

        self._parse = compiler.ast_parse = ast_parse

    def unregister(self) -> None:
        if self._parse is not None and vars(self.shell.compile).get("ast_parse") is self._parse:
            del self.shell.compile.ast_parse
        self._parse = None
        for name, hook in (("pre_run_cell", self.pre_run_cell),
                           ("post_run_cell", self.post_run_cell)):
            with contextlib.suppress(ValueError):
                self.shell.events.unregister(name, hook)

    def _count_in(self, run_id: str) -> bool:
        """Count cells from 1 again in a run other than the last one's; True if it is."""
        if run_id == self._seq_run:
            return False
        self._seq_run, self.seq = run_id, 0
        return True

    def pre_run_cell(self, info: Any) -> None:
        if self._pending is not None:  # a run_cell nested inside the running cell
            self._nested += 1
            return
        try:
            if getattr(info, "silent", False) or not getattr(info, "store_history", True):
                return
            entered, started = time.perf_counter(), time.time()
            source = info.raw_cell or ""
            ns = self.shell.user_ns
            self._namespace.refresh(ns)
            self._count_in(self.tracker.ensure_run())
            self.seq += 1
            self.tracker.cell_seq = self.seq
            pending = _Pending(started, 0.0, 0.0, source, getattr(info, "cell_id", None),
                               info.transformed_cell or source, self._namespace.ids(ns))
            self._pending = pending
            if not getattr(info, "shell_futures", True):  # IPython parses with another
                self._before(pending, None)  # compiler: parse it here
            pending.t0 = time.perf_counter()
            pending.spent = pending.t0 - entered
        except Exception:
            self._fail("before the cell")

    def _parsed(self, source: str, tree: ast.Module) -> None:
        """IPython parsed the cell (after :meth:`pre_run_cell`, before running it): its tree
        spares a second ``ast.parse``, which costs more than the analysis."""
        pending = self._pending
        if pending is None or pending.flow is not None or source != pending.transformed:
            return
        try:
            entered = time.perf_counter()
            self._before(pending, tree)
            pending.inside = time.perf_counter() - entered
        except Exception:
            self._fail("before the cell")

    def _before(self, pending: _Pending, tree: ast.Module | None) -> dataflow.Flow:
        """What must be known before the user's code runs: the names it reads, and the
        fingerprints of the data among them."""
        ns = self.shell.user_ns
        flow = pending.flow = self._flow(pending.transformed, tree, ns)
        pending.reads = sorted(n for n in flow.reads if n in ns and user_name(n))
        pending.data = self._describe(ns, pending.reads, "reads", cached=True)
        return flow

    def post_run_cell(self, result: Any) -> None:
        if self._nested:
            self._nested -= 1
            return
        pending, self._pending = self._pending, None
        if pending is None:  # skipped, or a whitespace-only cell (IPython fires only post)
            return
        ended = time.perf_counter()
        try:
            # not parsed: a cell that did not run, its namespace still as it was before
            flow = pending.flow or self._before(pending, None)
            duration_ms = (ended - pending.t0 - pending.inside) * 1000.0
            self.tracker.cell_seq = None
            ns = self.shell.user_ns
            self._namespace.refresh(ns)
            before = pending.ids
            rebound = {n for n, i in self._namespace.ids(ns).items() if before.get(n) != i}
            changed = self._changed(ns, flow.called, pending.data)
            writes = sorted(rebound | changed | {
                n for n in flow.writes if (n in ns or n in before) and user_name(n)})
            self._learn_functions(ns, flow, writes)
            data = pending.data + self._describe(ns, writes, "writes", cached=False)
            error = result.error_before_exec or result.error_in_exec
            run_id = self.tracker.ensure_run()
            if self._count_in(run_id):  # the cell started a run (`%mlops run start`):
                self.seq = 1  # it is the new run's first
            self.tracker.emit(ev.CELL, {
                "run_id": run_id,
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
                "statements": dataflow.statement_records(flow, pending.ids, writes, changed,
                                                         user_name),
                "data": data,
                "capture_ms": (pending.spent + pending.inside + time.perf_counter() - ended)
                * 1000.0,
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
            if not is_data(obj):
                continue
            entry = self._fingerprints.get(id(obj)) if cached else None
            found = (entry[1] if entry is not None and (entry[0] is None or entry[0]() is obj)
                     else self._fingerprint(obj))
            if found is not None:
                out.append({**found, "name": name, "role": role})
        return out

    def _flow(self, source: str, tree: ast.Module | None, ns: dict[str, Any]) -> dataflow.Flow:
        flow = self._flows.get(source)
        if flow is None:
            if len(self._flows) >= _FLOWS_KEPT:  # the oldest goes: a steady state allocates
                del self._flows[next(iter(self._flows))]  # nothing net, so no collections
            modules = Modules(ns)
            flow = self._flows[source] = (
                dataflow.analyse(source, self.functions, modules) if tree is None
                else dataflow.analyse_tree(tree, self.functions, modules))
        return flow

    def _changed(self, ns: dict[str, Any], called: frozenset[str],
                 data: list[dict[str, Any]]) -> set[str]:
        """Data read by the cell whose contents a method call changed (``arr.partition(1)``):
        its fingerprint after the cell differs from the one before."""
        if not called:
            return set()
        before = {d["name"]: d["fingerprint"] for d in data}
        out = set()
        for name in called & before.keys():
            after = self._fingerprint(ns.get(name)) if is_data(ns.get(name)) else None
            if after is not None and after["fingerprint"] != before[name]:
                out.add(name)
        return out

    def _learn_functions(self, ns: dict[str, Any], flow: dataflow.Flow,
                         writes: list[str]) -> None:
        """The session's function table: a ``def`` or ``class`` the cell ran enters it, any
        other rebinding of the name leaves it."""
        changed = False
        for name in writes:
            free = flow.functions.get(name) if callable(ns.get(name)) else None
            if self.functions.get(name) != free:
                changed = True
                if free is None:
                    del self.functions[name]
                else:
                    self.functions[name] = free
        if changed:  # cached flows read the old table at their calls
            self._flows.clear()

    def _fingerprint(self, obj: Any) -> dict[str, Any] | None:
        if size(obj) > self.settings.fingerprint_max_bytes:
            self._fingerprints.pop(id(obj), None)  # what it described may have changed
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

    def _fail(self, where: str) -> None:
        self._pending = None
        self.tracker.cell_seq = None
        incidents.report(self.tracker.store.root, f"cell capture {where}")
