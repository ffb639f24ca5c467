"""The statement half of the dataflow walk: what a top-level statement reads on entry and
certainly assigns, one forward pass carrying the set of names *certainly* assigned so far
(branches intersect, a loop body may run zero times, a ``try`` body may fail before any
assignment), which gives exactly the names live on entry without a control-flow graph."""

from __future__ import annotations

import ast
from collections.abc import Container, Sequence
from typing import Any

from .expressions import ExpressionWalker
from .free_globals import FUNCTIONS, annotation_exprs, defaults, free_globals, import_name

_LOOPS = (ast.For, ast.AsyncFor, ast.While)

_Certain = set[str] | None  # None: the point cannot be reached (after raise/break/continue)


def _meet(*states: _Certain) -> _Certain:
    live = [s for s in states if s is not None]
    if not live:
        return None
    out = set(live[0])
    for s in live[1:]:
        out &= s
    return out


class StatementWalker(ExpressionWalker):
    """One statement, forward: loads not certainly assigned yet are reads."""

    def __init__(self, functions: dict[str, frozenset[str]], modules: Container[str] = (),
                 imported: set[str] | None = None) -> None:
        super().__init__(functions, modules, imported)
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

    def _stmt(self, statement: ast.stmt, s: set[str]) -> _Certain:
        node: Any = statement  # dispatched on the exact type: see ExpressionWalker.expr
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
                    self.bind(import_name(alias), s)
                    if isinstance(node, ast.Import):
                        self.imported.add(import_name(alias))
        elif isinstance(node, FUNCTIONS):
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
        for expr in (*node.decorator_list, *defaults(node.args), *annotation_exprs(node)):
            self.expr(expr, s)
        self.functions[node.name] = frozenset(free_globals(node))
        self.bind(node.name, s)

    def _class(self, node: ast.ClassDef, s: set[str]) -> None:
        for expr in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
            self.expr(expr, s)
        # methods are not the session's functions
        body = StatementWalker(dict(self.functions), self.modules, set(self.imported))
        body.block(node.body, set(s))  # runs at once; its bindings are class attributes
        self.reads |= body.reads
        self.called |= body.called
        frees: set[str] = set()
        for stmt in ast.walk(node):
            if isinstance(stmt, (*FUNCTIONS, ast.Lambda)):
                frees |= free_globals(stmt)
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

    def _try(self, node: Any, s: set[str]) -> _Certain:  # ast.Try or ast.TryStar
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
            self.mutate(target)
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
            self.mutate(target)

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
