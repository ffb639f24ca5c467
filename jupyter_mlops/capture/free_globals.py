"""The free globals of a function: the names it loads from the module's namespace when it
runs (``docs/dataflow.md``, "Calls of functions defined in the session"), and their closure
over the session's table of functions."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


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


def import_name(alias: ast.alias) -> str:
    """The name ``import a.b`` or ``import a.b as c`` binds."""
    return alias.asname or alias.name.partition(".")[0]


def defaults(args: ast.arguments) -> list[ast.expr]:
    """A signature's default values: evaluated where the function is defined."""
    return [*args.defaults, *(d for d in args.kw_defaults if d is not None)]


def annotation_exprs(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    """A signature's annotations: evaluated where the function is defined, too."""
    a = node.args
    every = [*a.posonlyargs, *a.args, *a.kwonlyargs, *(x for x in (a.vararg, a.kwarg) if x)]
    return [x.annotation for x in every if x.annotation is not None] + (
        [node.returns] if node.returns is not None else [])


def free_globals(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """Names a function (with the functions, lambdas and comprehensions inside it) loads
    from the module's namespace when it runs: loads that are not its locals."""
    free, _ = _scope(fn)
    return free


def _scope(fn: ast.AST) -> tuple[set[str], set[str]]:
    """(free names, nonlocal names) of a function-like scope."""
    params: set[str] = set()
    if isinstance(fn, (*FUNCTIONS, ast.Lambda)):
        a = fn.args
        params = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg)
                  if x is not None}
        body: list[ast.AST] = list(fn.body) if isinstance(fn, FUNCTIONS) else [fn.body]
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
        elif isinstance(node, (*FUNCTIONS, ast.ClassDef)):
            bound.add(node.name)
            outer = [*node.decorator_list]
            if isinstance(node, ast.ClassDef):
                outer += [*node.bases, *(k.value for k in node.keywords)]
                for stmt in node.body:  # class body: its own scope, methods see ours
                    sub_free, _ = _scope_body(stmt)
                    inner_free |= sub_free
            else:
                outer += [*defaults(node.args), *annotation_exprs(node)]
                sub_free, sub_nonlocal = _scope(node)
                inner_free |= sub_free | sub_nonlocal
            todo.extend(outer)
        elif isinstance(node, ast.Lambda):
            todo.extend(defaults(node.args))
            inner_free |= _scope(node)[0]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update(import_name(a) for a in node.names if a.name != "*")
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
