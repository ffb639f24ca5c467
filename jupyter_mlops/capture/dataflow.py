"""What a cell reads and writes, per top-level statement and as a whole (``docs/dataflow.md``).

Pure: the standard library's ``ast`` only, so it is cheap to import in a kernel and easy to
check against the hand-written corpus. A *read* is a name whose value from before the cell may
be used: a load that some path reaches before any assignment of it. That is one forward pass
per statement carrying the set of names *certainly* assigned so far (branches intersect, a
loop body may run zero times, a ``try`` body may fail before any assignment), which gives
exactly the names live on entry without building a control-flow graph.

Functions read their free globals when they are called: :func:`analyse` takes the session's
table of functions (name -> free globals) and reads, at each call, the transitive free
globals of the function called; the table of the ``def``/``class`` statements a cell runs
comes back in :attr:`Flow.functions`.

The parts: :mod:`.liveness` walks statements (what is certainly assigned where),
:mod:`.expressions` walks expressions (loads, walruses, comprehensions, method calls, with
the rule of :mod:`.methods`), :mod:`.free_globals` finds a function's free globals, and
:mod:`.magic_lines` reads IPython's transformed magics; this module makes the per-statement
records and the cell's totals.

Cost: one walk of the tree, dispatched on the node's exact type, one walker per cell, set
operations at statement level; about 2.5 µs per top-level statement (0.4-0.5 ms for the 175
statements of the benchmark's 200-line cell, a third of ``ast.parse`` of it, which capture
no longer pays: it analyses the tree IPython parsed, :func:`analyse_tree`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Container, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .expressions import target_names
from .free_globals import FUNCTIONS, import_name
from .liveness import StatementWalker
from .magic_lines import maybe_magic, unmagic


class Statement(NamedTuple):
    """One top-level statement: the names it reads on entry, writes, and certainly rebinds.

    A tuple rather than a frozen dataclass: a 200-line cell makes 200 of these, and a frozen
    dataclass's ``__init__`` (7x slower) was a fifth of the analysis. Its sets are the ones
    the walk filled, handed over rather than copied into frozensets; nothing changes them
    after."""

    line: int
    reads: AbstractSet[str]
    writes: AbstractSet[str]
    kills: AbstractSet[str]
    #: bases of method calls that may change their object, neither a known mutator nor in
    #: :data:`.methods.PURE_METHODS` (``arr.partition(2)``): capture looks at the data's fingerprint
    called: AbstractSet[str] = frozenset()


@dataclass
class Flow:
    """A whole cell: reads live on entry, writes, kills, and its statements in order."""

    reads: frozenset[str]
    writes: frozenset[str]
    kills: frozenset[str]
    called: frozenset[str]
    statements: list[Statement]
    #: ``def``/``class`` names the cell binds -> their free global names
    functions: dict[str, frozenset[str]] = field(default_factory=dict)


def analyse(source: str, functions: Mapping[str, frozenset[str]] | None = None,
            modules: Container[str] = ()) -> Flow:
    """The dataflow of a cell's (IPython-transformed) source; a cell that does not parse
    reads and writes nothing. ``modules``: the names bound to modules before the cell (the
    cell's own ``import x`` are seen here)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return Flow(frozenset(), frozenset(), frozenset(), frozenset(), [])
    return analyse_tree(tree, functions or {}, modules)


def analyse_tree(tree: ast.Module, functions: Mapping[str, frozenset[str]],
                 modules: Container[str] = ()) -> Flow:
    """:func:`analyse` on a parsed module."""
    table = dict(functions)
    walker = StatementWalker(table, modules)
    statements: list[Statement] = []
    reads: set[str] = set()
    writes: set[str] = set()
    kills: set[str] = set()
    called: set[str] = set()
    certain: set[str] = set()
    make: Any = tuple.__new__  # Statement's own __new__ is a Python frame per statement
    k: AbstractSet[str]
    node: Any  # dispatched on the exact type: see ExpressionWalker.expr
    for node in tree.body:  # per statement: the hot loop of a long cell, kept lean
        kind = type(node)
        if kind is ast.Assign and not maybe_magic(node.value):  # the common case, inlined
            walker.stmt_one(node)
            targets = node.targets
            k = ({targets[0].id} if len(targets) == 1 and type(targets[0]) is ast.Name
                 else _kills(node))
        else:
            body = unmagic(node) if kind is ast.Expr or kind is ast.Assign else (node,)
            walker.stmt(body)
            k = _kills(body[0]) if len(body) == 1 else {k for n in body for k in _kills(n)}
        w = walker.writes or _EMPTY
        k = w if k == w else k or _EMPTY  # x = …: one set serves both
        r = walker.reads
        if r:
            reads |= r - certain if certain else r
        c = walker.called
        statements.append(make(Statement, (node.lineno, r or _EMPTY, w, k, c or _EMPTY)))
        writes |= w
        kills |= k
        if c:
            called |= c
        certain |= walker.certain
    new = {k: v for k, v in table.items() if functions.get(k) is not v}
    return Flow(frozenset(reads), frozenset(writes), frozenset(kills), frozenset(called),
                statements, new)


def statement_records(flow: Flow, before: Container[str], writes: list[str],
                      changed: set[str], user: Callable[[str], bool]) -> list[dict[str, Any]]:
    """Each top-level statement's user names: reads of names that existed before the cell or
    that the cell made, writes the cell recorded (with evidence of change to its data)."""
    written = set(writes)
    # decided once per name, not once per statement that reads it
    readable = {n for n in set().union(*(stmt.reads for stmt in flow.statements))
                if (n in before or n in written) and user(n)}
    out = []
    none: list[str] = []  # one empty list for every empty field: they are only encoded
    for line, r, w, k, c in flow.statements:
        if changed and c:
            w = w | (c & changed)
        wrote = sorted(w & written) if w else none
        out.append({"line": line, "reads": sorted(r & readable) if r else none,
                    "writes": wrote,  # ``x = …`` kills what it writes: the same set, once
                    "kills": wrote if k is w else sorted(k & written) if k else none})
    return out


#: Most statements read, write or call little: they share one empty set.
_EMPTY: frozenset[str] = frozenset()


def _kills(node: ast.stmt) -> set[str]:
    """Names a top-level statement certainly rebinds: plain assignment, import, def, class."""
    if isinstance(node, ast.Expr):
        return set()
    if isinstance(node, ast.Assign):
        targets = node.targets
        if len(targets) == 1 and type(targets[0]) is ast.Name:
            return {targets[0].id}
        return {n for t in targets for n in target_names(t)}
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        return target_names(node.target)
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {import_name(a) for a in node.names if a.name != "*"}
    if isinstance(node, (*FUNCTIONS, ast.ClassDef)):
        return {node.name}
    return set()
