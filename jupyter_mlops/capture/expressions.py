"""The expression half of the dataflow walk: loads in evaluation order, walrus bindings,
comprehension scopes, and method calls that write their object (:mod:`.methods`)."""

from __future__ import annotations

import ast
from collections.abc import Container, Iterable
from typing import Any

from .free_globals import closure, defaults, free_globals
from .methods import MODULE_MUTATORS, MUTATORS, PURE_METHODS


class ExpressionWalker:
    """Loads not certainly assigned yet (not in the state ``s``) are reads; what a statement
    binds, its writes; bases of method calls that may change their object, :attr:`called`."""

    def __init__(self, functions: dict[str, frozenset[str]], modules: Container[str] = (),
                 imported: set[str] | None = None) -> None:
        self.functions = functions
        self.modules = modules
        self.imported = imported if imported is not None else set()
        self.reads: set[str] = set()
        self.writes: set[str] = set()
        self.called: set[str] = set()

    # names --------------------------------------------------------------------------------

    def bind(self, name: str, s: set[str]) -> None:
        self.writes.add(name)
        s.add(name)

    def load(self, name: str, s: set[str]) -> None:
        if name not in s:
            self.reads.add(name)

    def mutate(self, node: ast.expr) -> None:
        """A store into or a method call on ``x.a[0]`` writes ``x``."""
        base = base_name(node)
        if base is not None:
            self.writes.add(base)

    # expressions --------------------------------------------------------------------------

    def expr(self, e: ast.expr, s: set[str]) -> None:
        """Loads in evaluation order; the common node kinds first (this is the hot path).

        Dispatched on the exact type (``kind is``, cheaper than ``isinstance``), which type
        checkers cannot narrow through: the node is ``Any`` inside, for free."""
        node: Any = e
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
            for default in defaults(node.args):
                self.expr(default, s)
            free = free_globals(node)  # a lambda is called soon after it is made
            self._reads_of(free | closure(free, self.functions), s)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child, s)
                elif isinstance(child, ast.keyword):
                    self.expr(child.value, s)

    def _operand(self, e: ast.expr, s: set[str]) -> None:
        """:meth:`expr` of a part that is always loaded, its leaves without a second call:
        names and constants are most of a tree's nodes."""
        node: Any = e  # exact type: see expr
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
            base = base_name(func.value)
            if base is None:
                return
            inplace = bool(node.keywords) and any(
                k.arg == "inplace" and isinstance(k.value, ast.Constant)
                and k.value.value is True for k in node.keywords)
            method = func.attr
            if method == "shuffle" and node.args:
                self.mutate(node.args[0])  # np.random.shuffle(x), rng.shuffle(x)
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

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
                       s: set[str]) -> None:
        """The first iterable runs in the cell's scope; targets, conditions and the element in
        the comprehension's own (its walruses still bind in the cell, but may not run)."""
        gens = node.generators
        self.expr(gens[0].iter, s)
        local: set[str] = set()  # each part sees ``s | local``, a copy: ``s`` stays as is
        for i, gen in enumerate(gens):
            if i:
                self.expr(gen.iter, s | local)
            local |= target_names(gen.target)
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


def base_name(node: ast.expr) -> str | None:
    """The name at the root of ``x.a[0].b``, or None (``f().a``)."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def target_names(target: ast.expr) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return {n for e in target.elts for n in target_names(e)}
    if isinstance(target, ast.Starred):
        return target_names(target.value)
    return set()
