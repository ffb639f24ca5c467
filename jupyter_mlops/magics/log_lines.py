"""Reading ``%mlops log_param`` / ``%mlops log_metric`` lines: the rest of the line is Python,
not split on spaces, so a value may be any expression (``d={'a': 1}``, ``f(x, y=2)``)."""

from __future__ import annotations

import io
import itertools
import re
import tokenize
from collections.abc import Callable, Mapping
from typing import Any

#: ``--step N`` (or ``--step=N``) in a ``log_metric`` line, first or last.
_STEP = re.compile(r"(?:^|\s)--step(?:\s+|=)(\S+)(?:\s|$)")


def read_log_line(command: str, rest: str, namespace: Mapping[str, Any],
                  evaluate: Callable[[str], Any]) -> tuple[dict[str, Any], int | None]:
    """The values a line names and its ``--step``; a ValueError says what is wrong.

    Bare names take their values from ``namespace``; then ``KEY=EXPR`` items, each expression
    running to the next ``KEY=`` outside brackets, or to the line's end."""
    step = None
    found = _STEP.search(rest) if command == "log_metric" else None
    if found:
        rest, text = f"{rest[:found.start()]} {rest[found.end():]}", found.group(1)
        if not re.fullmatch(r"-?[0-9]{1,18}", text):
            raise ValueError(f"--step takes a whole number, not {text!r}")
        step = int(text)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(rest).readline))
    except (tokenize.TokenError, SyntaxError) as e:
        raise ValueError(f"cannot read {rest.strip()!r} as Python ({e.args[0]})") from None
    depth, keys = 0, []  # (key, where the key starts, where its expression starts)
    for token, following in itertools.pairwise(tokens):
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
        elif depth == 0 and token.type == tokenize.NAME and following.string == "=":
            keys.append((token.string, token.start[1], following.end[1]))
    names = rest[:keys[0][1] if keys else len(rest)].split()
    if not names and not keys:
        raise ValueError("name at least one variable or KEY=EXPRESSION")
    values: dict[str, Any] = {}
    for name in names:
        if not name.isidentifier():
            raise ValueError(f"{name!r} is not a variable name; write KEY=EXPRESSION to log "
                             f"a value")
        if name not in namespace:
            raise ValueError(f"{name!r} is not defined in the notebook")
        values[name] = namespace[name]
    ends = [start for _, start, _ in keys[1:]] + [len(rest)]
    for (key, _, begin), end in zip(keys, ends, strict=False):  # no keys: no items
        expression = rest[begin:end].strip()
        try:
            values[key] = evaluate(expression)
        except Exception as e:
            raise ValueError(f"{key}={expression[:60]}: {type(e).__name__}: {e}") from None
    return values, step
