"""IPython's transformed magic lines, as the dataflow sees them: ``%time``/``%timeit``/
``%%time`` are the code they run; any other magic and ``!shell`` read nothing."""

from __future__ import annotations

import ast
from collections.abc import Sequence

#: IPython line magics whose statement is the code they time (``%time x = f()``).
_TIMING_MAGICS = frozenset({"time", "timeit"})


def maybe_magic(value: ast.expr) -> bool:
    """``get_ipython().…(…)``: how IPython writes a magic or ``!shell`` line."""
    if type(value) is not ast.Call:
        return False
    func = value.func
    return (type(func) is ast.Attribute and type(func.value) is ast.Call
            and type(func.value.func) is ast.Name and func.value.func.id == "get_ipython")


def unmagic(node: ast.Expr | ast.Assign) -> Sequence[ast.stmt]:
    """IPython's transformed lines: ``%time``/``%timeit``/``%%time`` become the code they
    run; other magics and ``!shell`` read nothing (``x = !ls`` still writes ``x``)."""
    call = node.value
    if not (maybe_magic(call) and isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)):
        return (node,)
    args = [a.value if isinstance(a, ast.Constant) else None for a in call.args]
    last = args[-1] if args else None
    if (call.func.attr in ("run_line_magic", "run_cell_magic") and len(args) > 1
            and args[0] in _TIMING_MAGICS and isinstance(last, str)):
        text = last if call.func.attr == "run_cell_magic" else _strip_options(last)
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
