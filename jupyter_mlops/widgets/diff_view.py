"""Why two runs differ (``mlops.diff``) as a panel: params, cells with their source diffs, the
first differing data, environment and git, each a table."""

from __future__ import annotations

from typing import Any

from ..comparison import RunDiff, diff_on
from ..store import Store, queries
from . import static
from .base import Panel


def _diff_markup(text: str) -> str:
    """A unified diff, its added and removed lines marked."""
    lines = []
    for line in text.splitlines():
        style = ("color:#1a7f37" if line.startswith("+") and not line.startswith("+++")
                 else "color:#cf222e" if line.startswith("-") and not line.startswith("---")
                 else "")
        lines.append(f'<span style="{style}">{static.esc(line)}</span>' if style
                     else static.esc(line))
    return f"<pre>{chr(10).join(lines)}</pre>"


class DiffPanel(Panel):
    def __init__(self, run_a: str, run_b: str, metric: str | None = None,
                 store: Store | None = None) -> None:
        super().__init__(store)
        self.ids, self.metric = [run_a, run_b], metric
        self.found: RunDiff | None = None
        self.names = list(self.ids)

    def load(self) -> None:
        self.found = diff_on(self.store, self.ids[0], self.ids[1], self.metric)
        self.ids = [self.found.run_a, self.found.run_b]
        self.names = [r["name"] or r["run_id"][:8] for r in queries.runs_by_id(self.store,
                                                                              self.ids)]

    def markup(self) -> str:
        d = self.found
        assert d is not None, "load() first"
        a, b = self.names
        head = f"<p><b>diff</b> {static.esc(a)} → {static.esc(b)}"
        if d.metric is not None and d.values is not None:
            head += (f" · {static.esc(d.metric)}: {static.esc(static.fmt(d.values[0]))} → "
                     f"{static.esc(static.fmt(d.values[1]))} (only its slice)")
        parts = [head + "</p>"]
        if not d:
            parts.append("<p>no differences</p>")
        if d.params:
            parts += ["<p><b>params</b></p>", static.table(
                ["param", a, b], [[p["key"], p["a"], p["b"]] for p in d.params])]
        for c in d.cells:
            where = f"cell {c['seq_a'] or '-'} → {c['seq_b'] or '-'}"
            named = f" ({c['cell_id']})" if c["cell_id"] else ""
            parts.append(f"<p><b>{static.esc(c['change'])}</b> {static.esc(where + named)}</p>"
                         + _diff_markup(c["diff"]))
        if d.data:
            x = d.data
            parts += ["<p><b>first differing data</b></p>", static.table(
                ["name", "cell", "written by", "same source", a, b],
                [[x["name"], f"{x['relation']} in {x['seq_a']} → {x['seq_b']}",
                  f"{x['producer_a']} → {x['producer_b']}", x["same_source"],
                  f"{x['fingerprint_a'][:16]} {x['shape_a']}",
                  f"{x['fingerprint_b'][:16]} {x['shape_b']}"]])]
        rows: list[list[Any]] = [[k, v["a"], v["b"]] for k, v in d.environment.items()]
        rows += [[p["name"], p["a"], p["b"]] for p in d.packages]
        rows += [[f"git {k}", v["a"], v["b"]] for k, v in d.git.items()]
        if rows:
            parts += ["<p><b>environment and git</b></p>", static.table(["", a, b], rows)]
        return static.page(*parts, css_class="jp-mlops-diff")
