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

Cost: one walk of the tree, dispatched on the node's exact type, one walker per cell, set
operations at statement level; about 2.7 µs per top-level statement (0.47 ms for the 175
statements of the benchmark's 200-line cell, a third of ``ast.parse`` of it, which capture
no longer pays: it analyses the tree IPython parsed, :func:`analyse_tree`).
"""

from __future__ import annotations

import ast
from collections.abc import Container, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, NamedTuple

#: Method names that change their object (``docs/dataflow.md``, "Writes").
MUTATORS = frozenset({
    "fit", "partial_fit", "fit_transform", "fit_predict", "set_params", "set_output",
    "append", "extend", "insert", "pop", "popitem", "remove", "clear", "update", "setdefault",
    "add", "discard", "sort", "reverse",
    "seed", "shuffle", "manual_seed", "set_seed",
    "fill", "resize", "put", "setflags",
})
#: The mutators that change a *module* (its random state): ``np.add(x, 2)`` or
#: ``np.sort(a)`` change nothing, ``np.random.seed(0)`` does.
MODULE_MUTATORS = frozenset({"seed", "shuffle", "manual_seed", "set_seed"})
#: Methods of pandas and numpy objects that return a new object and leave theirs alone: a
#: call of one keeps the object's cached fingerprint (any other method may change it).
PURE_METHODS = frozenset({
    "head", "tail", "describe", "info", "copy", "mean", "median", "sum", "min", "max", "std",
    "var", "count", "nunique", "unique", "value_counts", "groupby", "plot", "hist", "to_numpy",
    "to_list", "tolist", "to_csv", "to_parquet", "to_dict", "to_json", "to_string", "sample",
    "isna", "isnull", "notna", "notnull", "corr", "cov", "merge", "join", "astype", "reshape",
    "quantile", "cumsum", "shift", "diff", "pct_change", "clip", "where", "mask", "replace",
    "dropna", "fillna", "drop", "rename", "query", "filter", "apply", "map", "agg",
    "aggregate", "round", "abs", "any", "all", "argmax", "argmin", "dot", "transpose", "ravel",
    "flatten", "item", "sort_values", "sort_index", "reset_index", "set_index", "equals",
    "memory_usage", "select_dtypes", "iterrows", "itertuples", "items", "keys", "duplicated",
    "drop_duplicates", "isin", "between", "nlargest", "nsmallest", "idxmax", "idxmin", "mode",
    "pivot", "pivot_table", "melt", "stack", "unstack", "explode", "rolling", "expanding",
    "resample", "assign", "eval", "get", "argsort", "searchsorted", "nonzero", "prod",
    "cumprod", "squeeze", "view", "reindex", "align", "combine_first", "to_frame", "to_series",
})
#: IPython line magics whose statement is the code they time (``%time x = f()``).
_TIMING_MAGICS = frozenset({"time", "timeit"})
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


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
    #: :data:`PURE_METHODS` (``arr.partition(2)``): capture looks at the data's fingerprint
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
    walker = _Walker(table, modules)
    statements, reads, writes, kills, called = [], set(), set(), set(), set()
    certain: set[str] = set()
    make = tuple.__new__  # Statement's own __new__ is a Python frame per statement
    for node in tree.body:  # per statement: the hot loop of a long cell, kept lean
        kind = type(node)
        if kind is ast.Assign and not _maybe_magic(node.value):  # the common case, inlined
            walker.stmt_one(node)
            targets = node.targets
            k = ({targets[0].id} if len(targets) == 1 and type(targets[0]) is ast.Name
                 else _kills(node))
        else:
            body = _unmagic(node) if kind is ast.Expr or kind is ast.Assign else (node,)
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


#: Most statements read, write or call little: they share one empty set.
_EMPTY: frozenset[str] = frozenset()


def closure(names: Iterable[str], functions: Mapping[str, frozenset[str]]) -> set[str]:
    """The free globals of the session functions among ``names``, transitively."""
    out: set[str] = set()
    todo = [n for n in names if n in functions]
    seen = set(todo)
    while todo:
        for name in functions[todo.pop()]:
            out.add(name)
            if name in functions and name not in seen:
                seen.add(name)
                todo.append(name)
    return out


def _kills(node: ast.stmt) -> set[str]:
    """Names a top-level statement certainly rebinds: plain assignment, import, def, class."""
    kind = type(node)
    if kind is ast.Expr:
        return set()
    if kind is ast.Assign:
        targets = node.targets
        if len(targets) == 1 and type(targets[0]) is ast.Name:
            return {targets[0].id}
        return {n for t in targets for n in _target_names(t)}
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        return _target_names(node.target)
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {_import_name(a) for a in node.names if a.name != "*"}
    if isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
        return {node.name}
    return set()


def _target_names(target: ast.expr) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return {n for e in target.elts for n in _target_names(e)}
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return set()


def _import_name(alias: ast.alias) -> str:
    return alias.asname or alias.name.partition(".")[0]


def _maybe_magic(value: ast.expr) -> bool:
    """``get_ipython().…(…)``: how IPython writes a magic or ``!shell`` line."""
    if type(value) is not ast.Call:
        return False
    func = value.func
    return (type(func) is ast.Attribute and type(func.value) is ast.Call
            and type(func.value.func) is ast.Name and func.value.func.id == "get_ipython")


def _unmagic(node: ast.Expr | ast.Assign) -> Sequence[ast.stmt]:
    """IPython's transformed lines: ``%time``/``%timeit``/``%%time`` become the code they
    run; other magics and ``!shell`` read nothing (``x = !ls`` still writes ``x``)."""
    call = node.value
    if not (_maybe_magic(call) and isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)):
        return (node,)
    args = [a.value if isinstance(a, ast.Constant) else None for a in call.args]
    timed = (call.func.attr in ("run_line_magic", "run_cell_magic") and len(args) > 1
             and args[0] in _TIMING_MAGICS and isinstance(args[-1], str))
    if timed:
        text = args[-1] if call.func.attr == "run_cell_magic" else _strip_options(args[-1])
        try:
            body = ast.parse(text).body
        except SyntaxError:
            body = []
        if isinstance(node, ast.Expr):
            return body
        if len(body) == 1 and isinstance(body[0], ast.Expr):  # x = %time f()
            return [ast.Assign(targets=node.targets, value=body[0].value)]
    if isinstance(node, ast.Assign):
        return [ast.Assign(targets=node.targets, value=ast.Constant(None))]
    return []


def _strip_options(line: str) -> str:
    """``%timeit -n 3 -r 1 f()`` -> ``f()``: drop leading ``-x [value]`` options."""
    words = line.split(" ")
    while words and words[0].startswith("-"):
        words.pop(0)
        if words and words[0][:1].isdigit():
            words.pop(0)
    return " ".join(words)


_Certain = set[str] | None  # None: the point cannot be reached (after raise/break/continue)


def _meet(*states: _Certain) -> _Certain:
    live = [s for s in states if s is not None]
    if not live:
        return None
    out = set(live[0])
    for s in live[1:]:
        out &= s
    return out


class _Walker:
    """One statement, forward: loads not certainly assigned yet are reads."""

    def __init__(self, functions: dict[str, frozenset[str]], modules: Container[str] = (),
                 imported: set[str] | None = None) -> None:
        self.functions = functions
        self.modules = modules
        self.imported = imported if imported is not None else set()
        self.reads: set[str] = set()
        self.writes: set[str] = set()
        self.called: set[str] = set()
        self.certain: set[str] = set()
        self._breaks: list[list[_Certain]] = []

    # statements ---------------------------------------------------------------------------

    def stmt(self, body: Sequence[ast.stmt]) -> None:
        """A top-level statement (or what a ``%time`` runs) from an empty state: its
        :attr:`reads`, :attr:`writes`, :attr:`called`, and :attr:`certain`, what it certainly
        assigns (one walker serves a cell's statements in turn)."""
        self.reads, self.writes, self.called = set(), set(), set()
        out = self._stmt(body[0], set()) if len(body) == 1 else self.block(list(body), set())
        self.certain = out if out is not None else set()

    def stmt_one(self, node: ast.Assign) -> None:
        """:meth:`stmt` of a plain assignment, the commonest statement, without a frame."""
        self.reads, self.writes, self.called = set(), set(), set()
        s: set[str] = set()
        self.expr(node.value, s)
        for target in node.targets:
            if type(target) is ast.Name:
                self.writes.add(target.id)
                s.add(target.id)
            else:
                self.store(target, s)
        self.certain = s

    def block(self, body: list[ast.stmt], state: _Certain) -> _Certain:
        for node in body:
            if state is None:
                return None
            state = self._stmt(node, state)
        return state

    def _stmt(self, node: ast.stmt, s: set[str]) -> _Certain:
        kind = type(node)
        if kind is ast.Expr:
            self.expr(node.value, s)
        elif kind is ast.Assign:
            self.expr(node.value, s)
            for target in node.targets:
                if type(target) is ast.Name:  # the common case, without two calls
                    self.writes.add(target.id)
                    s.add(target.id)
                else:
                    self.store(target, s)
        elif kind is ast.If:
            self.expr(node.test, s)
            body = self.block(node.body, set(s))
            orelse = self.block(node.orelse, set(s)) if node.orelse else s
            if body is None or orelse is None:  # a branch that raises assigns nothing after
                return orelse if body is None else body
            return body & orelse
        elif isinstance(node, ast.AugAssign):
            self._load_target(node.target, s)
            self.expr(node.value, s)
            self.store(node.target, s, mutate=True)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.expr(node.value, s)
                self.store(node.target, s)
            elif not isinstance(node.target, ast.Name):
                self._load_target(node.target, s)
            self.expr(node.annotation, s)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                self.delete(target, s)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    self.bind(_import_name(alias), s)
                    if isinstance(node, ast.Import):
                        self.imported.add(_import_name(alias))
        elif isinstance(node, _FUNCTIONS):
            self._def(node, s)
        elif isinstance(node, ast.ClassDef):
            self._class(node, s)
        elif isinstance(node, _LOOPS):
            return self._loop(node, s)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self.expr(item.context_expr, s)
                if item.optional_vars is not None:
                    self.store(item.optional_vars, s)
            return self.block(node.body, s)
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            return self._try(node, s)
        elif isinstance(node, ast.Match):
            return self._match(node, s)
        elif isinstance(node, ast.Raise):
            for part in (node.exc, node.cause):
                if part is not None:
                    self.expr(part, s)
            return None
        elif isinstance(node, ast.Return):
            if node.value is not None:
                self.expr(node.value, s)
            return None
        elif isinstance(node, (ast.Break, ast.Continue)):
            if self._breaks and isinstance(node, ast.Break):
                self._breaks[-1].append(set(s))
            return None
        elif isinstance(node, ast.Assert):
            self.expr(node.test, s)
            if node.msg is not None:
                self.expr(node.msg, set(s))
        elif not isinstance(node, (ast.Pass, ast.Global, ast.Nonlocal)):
            for child in ast.iter_child_nodes(node):  # type aliases and future kinds
                if isinstance(child, ast.expr):
                    self.expr(child, s)
        return s

    def _def(self, node: ast.FunctionDef | ast.AsyncFunctionDef, s: set[str]) -> None:
        for expr in (*node.decorator_list, *_defaults(node.args), *_annotations(node)):
            self.expr(expr, s)
        self.functions[node.name] = frozenset(_free_globals(node))
        self.bind(node.name, s)

    def _class(self, node: ast.ClassDef, s: set[str]) -> None:
        for expr in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
            self.expr(expr, s)
        body = _Walker(dict(self.functions), self.modules, set(self.imported))  # methods are
        # not the session's functions
        body.block(node.body, set(s))  # runs at once; its bindings are class attributes
        self.reads |= body.reads
        self.called |= body.called
        frees: set[str] = set()
        for stmt in ast.walk(node):
            if isinstance(stmt, (*_FUNCTIONS, ast.Lambda)) and stmt is not node:
                frees |= _free_globals(stmt)
        self.functions[node.name] = frozenset(frees)
        self.bind(node.name, s)

    def _loop(self, node: ast.For | ast.AsyncFor | ast.While, s: set[str]) -> _Certain:
        """The body may run zero times; ``else`` runs unless a ``break`` left the loop."""
        body = set(s)
        if isinstance(node, ast.While):
            self.expr(node.test, s)  # evaluated at least once: its walruses are certain
            body = set(s)
            ends = not (isinstance(node.test, ast.Constant) and node.test.value)
        else:
            self.expr(node.iter, s)
            body = set(s)
            self.store(node.target, body)
            ends = True
        self._breaks.append([])
        self.block(node.body, body)
        breaks = self._breaks.pop()
        return _meet(self.block(node.orelse, set(s)) if ends else None, *breaks)

    def _try(self, node: ast.Try, s: set[str]) -> _Certain:
        ends = [self.block(node.orelse, self.block(node.body, set(s)))]
        for handler in node.handlers:
            h = set(s)  # the body may fail before any of its assignments
            if handler.type is not None:
                self.expr(handler.type, h)
            if handler.name:
                self.bind(handler.name, h)
            ends.append(self.block(handler.body, h))
        normal = _meet(*ends)
        if not node.finalbody:
            return normal
        after = self.block(node.finalbody, set(s))
        if normal is None or after is None:
            return None
        return after | normal

    def _match(self, node: ast.Match, s: set[str]) -> _Certain:
        self.expr(node.subject, s)
        ends: list[_Certain] = []
        exhaustive = False
        for case in node.cases:
            c = set(s)
            self._pattern(case.pattern, c)
            if case.guard is not None:
                self.expr(case.guard, c)
            elif isinstance(case.pattern, ast.MatchAs) and case.pattern.pattern is None:
                exhaustive = True
            ends.append(self.block(case.body, c))
        return _meet(*ends, *(() if exhaustive else (set(s),)))

    def _pattern(self, pattern: ast.pattern, s: set[str]) -> None:
        for sub in ast.walk(pattern):
            if isinstance(sub, ast.MatchValue):
                self.expr(sub.value, s)
            elif isinstance(sub, ast.MatchClass):
                self.expr(sub.cls, s)
            elif isinstance(sub, ast.MatchMapping):
                for key in sub.keys:
                    self.expr(key, s)
        for sub in ast.walk(pattern):
            name = getattr(sub, "name", None) or getattr(sub, "rest", None)
            if isinstance(name, str):
                self.bind(name, s)

    # names --------------------------------------------------------------------------------

    def bind(self, name: str, s: set[str]) -> None:
        self.writes.add(name)
        s.add(name)

    def load(self, name: str, s: set[str]) -> None:
        if name not in s:
            self.reads.add(name)

    def store(self, target: ast.expr, s: set[str], mutate: bool = False) -> None:
        """An assignment target; ``mutate`` for ``x += …`` (already loaded by the caller)."""
        if isinstance(target, ast.Name):
            self.bind(target.id, s)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.store(elt, s)
        elif isinstance(target, ast.Starred):
            self.store(target.value, s)
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            if not mutate:
                self._load_target(target, s)
            self._mutate(target)
        else:
            self.expr(target, s)

    def delete(self, target: ast.expr, s: set[str]) -> None:
        if isinstance(target, ast.Name):
            self.writes.add(target.id)
            s.discard(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.delete(elt, s)
        else:
            self._load_target(target, s)
            self._mutate(target)

    def _load_target(self, target: ast.expr, s: set[str]) -> None:
        """The loads a store into ``x[k].a`` makes: the base chain and the subscripts."""
        if isinstance(target, ast.Name):
            self.load(target.id, s)
        elif isinstance(target, ast.Subscript):
            self._load_target(target.value, s)
            self.expr(target.slice, s)
        elif isinstance(target, ast.Attribute):
            self._load_target(target.value, s)
        else:
            self.expr(target, s)

    def _mutate(self, node: ast.expr) -> None:
        base = _base(node)
        if base is not None:
            self.writes.add(base)

    # expressions --------------------------------------------------------------------------

    def expr(self, node: ast.expr, s: set[str]) -> None:
        """Loads in evaluation order; the common node kinds first (this is the hot path)."""
        kind = type(node)
        if kind is ast.Name:
            if node.id not in s and type(node.ctx) is ast.Load:
                self.reads.add(node.id)
        elif kind is ast.Constant:
            return
        elif kind is ast.Attribute:
            self._operand(node.value, s)
        elif kind is ast.Call:
            self._call(node, s)
        elif kind is ast.BinOp:
            self._operand(node.left, s)
            self._operand(node.right, s)
        elif kind is ast.Subscript:
            self._operand(node.value, s)
            self._operand(node.slice, s)
        elif kind is ast.Compare:
            self._operand(node.left, s)
            for part in node.comparators:
                self._operand(part, s)
        elif kind in _PLAIN:
            for child in _PLAIN[kind](node):
                if child is not None:
                    self.expr(child, s)
        elif kind is ast.NamedExpr:
            self.expr(node.value, s)
            self.bind(node.target.id, s)
        elif kind is ast.BoolOp:
            values = node.values
            self.expr(values[0], s)
            inner = set(s)
            for value in values[1:]:
                self.expr(value, inner)  # may not run: its walruses are not certain
        elif kind is ast.IfExp:
            self.expr(node.test, s)
            body, orelse = set(s), set(s)
            self.expr(node.body, body)
            self.expr(node.orelse, orelse)
            s |= body & orelse
        elif kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp):
            self._comprehension(node, s)
        elif kind is ast.Lambda:
            for default in _defaults(node.args):
                self.expr(default, s)
            free = _free_globals(node)  # a lambda is called soon after it is made
            self._reads_of(free | closure(free, self.functions), s)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child, s)
                elif isinstance(child, ast.keyword):
                    self.expr(child.value, s)

    def _operand(self, node: ast.expr, s: set[str]) -> None:
        """:meth:`expr` of a part that is always loaded, its leaves without a second call:
        names and constants are most of a tree's nodes."""
        kind = type(node)
        if kind is ast.Name:
            if node.id not in s:
                self.reads.add(node.id)
        elif kind is not ast.Constant:
            self.expr(node, s)

    def _call(self, node: ast.Call, s: set[str]) -> None:
        operand = self._operand
        operand(node.func, s)
        for arg in node.args:
            operand(arg, s)
        for kw in node.keywords:
            operand(kw.value, s)
        func = node.func
        if self.functions:  # a session function called, or passed to a call (df.apply(f))
            names = [a.id for a in (func, *node.args, *(k.value for k in node.keywords))
                     if type(a) is ast.Name and a.id in self.functions]
            if names:
                self._reads_of(closure(names, self.functions), s)
        if type(func) is ast.Attribute:
            base = _base(func.value)
            if base is None:
                return
            inplace = bool(node.keywords) and any(
                k.arg == "inplace" and isinstance(k.value, ast.Constant)
                and k.value.value is True for k in node.keywords)
            method = func.attr
            if method == "shuffle" and node.args:
                self._mutate(node.args[0])  # np.random.shuffle(x), rng.shuffle(x)
            if base in self.imported or base in self.modules:  # np.add(x, 2): no change
                if method in MODULE_MUTATORS:
                    self.writes.add(base)
            elif inplace or method in MUTATORS:
                self.writes.add(base)
            elif method not in PURE_METHODS:
                self.called.add(base)

    def _reads_of(self, names: Iterable[str], s: set[str]) -> None:
        for name in names:
            self.load(name, s)

    def _comprehension(self, node: ast.expr, s: set[str]) -> None:
        """The first iterable runs in the cell's scope; targets, conditions and the element in
        the comprehension's own (its walruses still bind in the cell, but may not run)."""
        gens = node.generators
        self.expr(gens[0].iter, s)
        local: set[str] = set()  # each part sees ``s | local``, a copy: ``s`` stays as is
        for i, gen in enumerate(gens):
            if i:
                self.expr(gen.iter, s | local)
            local |= _target_names(gen.target)
            for cond in gen.ifs:
                self.expr(cond, s | local)
        if isinstance(node, ast.DictComp):
            self.expr(node.key, s | local)
            self.expr(node.value, s | local)
        else:
            self.expr(node.elt, s | local)


#: Expression kinds with no scope or control flow of their own: their parts in order.
_PLAIN: dict[type, Any] = {
    ast.Tuple: lambda n: n.elts,
    ast.List: lambda n: n.elts,
    ast.Set: lambda n: n.elts,
    ast.UnaryOp: lambda n: (n.operand,),
    ast.Dict: lambda n: [x for pair in zip(n.keys, n.values, strict=True) for x in pair],
    ast.Starred: lambda n: (n.value,),
    ast.JoinedStr: lambda n: n.values,
    ast.FormattedValue: lambda n: (n.value, n.format_spec),
    ast.Slice: lambda n: (n.lower, n.upper, n.step),
}


def _base(node: ast.expr) -> str | None:
    """The name at the root of ``x.a[0].b``, or None (``f().a``)."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _defaults(args: ast.arguments) -> list[ast.expr]:
    return [*args.defaults, *(d for d in args.kw_defaults if d is not None)]


def _annotations(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    a = node.args
    every = [*a.posonlyargs, *a.args, *a.kwonlyargs, *(x for x in (a.vararg, a.kwarg) if x)]
    return [x.annotation for x in every if x.annotation is not None] + (
        [node.returns] if node.returns is not None else [])


def _free_globals(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """Names a function (with the functions, lambdas and comprehensions inside it) loads
    from the module's namespace when it runs: loads that are not its locals."""
    free, _ = _scope(fn)
    return free


def _scope(fn: ast.AST) -> tuple[set[str], set[str]]:
    """(free names, nonlocal names) of a function-like scope."""
    params: set[str] = set()
    if isinstance(fn, (*_FUNCTIONS, ast.Lambda)):
        a = fn.args
        params = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg)
                  if x is not None}
        body: list[ast.AST] = list(fn.body) if isinstance(fn, _FUNCTIONS) else [fn.body]
    else:  # a comprehension
        body = [fn]
    loads: set[str] = set()
    bound = set(params)
    declared_global: set[str] = set()
    declared_nonlocal: set[str] = set()
    inner_free: set[str] = set()
    todo = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.Global):
            declared_global.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            declared_nonlocal.update(node.names)
        elif isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
            bound.add(node.name)
            outer = [*node.decorator_list]
            if isinstance(node, ast.ClassDef):
                outer += [*node.bases, *(k.value for k in node.keywords)]
                for stmt in node.body:  # class body: its own scope, methods see ours
                    sub_free, _ = _scope_body(stmt)
                    inner_free |= sub_free
            else:
                outer += [*_defaults(node.args), *_annotations(node)]
                sub_free, sub_nonlocal = _scope(node)
                inner_free |= sub_free | sub_nonlocal
            todo.extend(outer)
        elif isinstance(node, ast.Lambda):
            todo.extend(_defaults(node.args))
            inner_free |= _scope(node)[0]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update(_import_name(a) for a in node.names if a.name != "*")
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
            todo.extend(ast.iter_child_nodes(node))
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
            todo.extend(ast.iter_child_nodes(node))
        else:
            todo.extend(ast.iter_child_nodes(node))
    local = (bound - declared_global) - declared_nonlocal
    free = ((loads | inner_free) - local - declared_nonlocal) | (declared_global & (
        loads | inner_free))
    return free, declared_nonlocal


def _scope_body(stmt: ast.stmt) -> tuple[set[str], set[str]]:
    """Free names of one statement of a class body nested in a function."""
    wrapper = ast.FunctionDef(name="_", args=ast.arguments(
        posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=[stmt], decorator_list=[])
    return _scope(wrapper)
