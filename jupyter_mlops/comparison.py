"""Why did this metric change? Two runs compared cell by cell.

``mlops.diff(a, b, metric=None)`` aligns the runs' cells (by nbformat cell id, then by source,
then by position between aligned cells) and reports, in this order: params that differ; cells
added, removed or edited (a unified source diff); the first dataset whose fingerprint differs,
with the cell that produced it; environment and package differences; git differences. With
``metric``, only what lies on the metric's slice in either run (the cells its logging cell
depends on, :func:`.lineage.slice`'s rule) is reported, first divergence first.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .alignment import align, change
from .exceptions import NotFound
from .lineage import slice_rows
from .store import Store
from .store.queries.diff import run_state
from .tracking import tracker

#: Environment fields compared (the host a run ran on does not change a result).
_ENV_FIELDS = ("python", "platform", "kernel")


@dataclass
class RunDiff:
    """What differs between run ``run_a`` and run ``run_b``; empty lists when nothing does."""

    run_a: str
    run_b: str
    metric: str | None = None
    values: tuple[float | None, float | None] | None = None  # the metric in a and b
    params: list[dict[str, Any]] = field(default_factory=list)
    cells: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, Any] | None = None
    environment: dict[str, Any] = field(default_factory=dict)
    packages: list[dict[str, Any]] = field(default_factory=list)
    git: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        """True when the runs differ in anything reported."""
        return bool(self.params or self.cells or self.data or self.environment
                    or self.packages or self.git)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in the order the sections are reported."""
        return {"run_a": self.run_a, "run_b": self.run_b, "metric": self.metric,
                "values": None if self.values is None else list(self.values),
                "params": self.params, "cells": self.cells, "data": self.data,
                "environment": self.environment, "packages": self.packages, "git": self.git}

    def lines(self) -> list[str]:
        """The report as text lines (what ``str()`` and the CLI print)."""
        head = f"diff {self.run_a[:12]} → {self.run_b[:12]}"
        if self.metric is not None and self.values is not None:
            head += f"  ({self.metric}: {_show(self.values[0])} → {_show(self.values[1])})"
        out = [head]
        if not self:
            return [*out, "  no differences" + (" on the metric's slice" if self.metric else "")]
        if self.params:
            out.append(f"params ({len(self.params)})")
            out += [f"  {p['key']}: {_show(p['a'])} → {_show(p['b'])}" for p in self.params]
        if self.cells:
            out.append(f"cells ({len(self.cells)})")
            for c in self.cells:
                named = f" (cell id {c['cell_id']})" if c["cell_id"] else ""
                out.append(f"  {c['change']}: {_cell(c)}{named}")
                out += ["    " + line for line in c["diff"].splitlines()]
        if self.data:
            d = self.data
            how = f"written by cell {_cell(d)}"
            if d["relation"] == "reads":
                producer = _cell({"seq_a": d["producer_a"], "seq_b": d["producer_b"]})
                how = f"read by cell {_cell(d)}, written by cell {producer}"
            same = " (the same source: look at its input)" if d["same_source"] else ""
            out += ["data (first divergence)", f"  `{d['name']}` {how}{same}",
                    f"    {d['fingerprint_a'][:16]} {d['shape_a']} → "
                    f"{d['fingerprint_b'][:16]} {d['shape_b']}"]
        if self.environment or self.packages:
            out.append("environment")
            out += [f"  {k}: {v['a']} → {v['b']}" for k, v in self.environment.items()]
            out += [f"  {p['name']}: {p['a'] or '(none)'} → {p['b'] or '(none)'}"
                    for p in self.packages]
        if self.git:
            out.append("git")
            out += [f"  {k}: {v['a']} → {v['b']}" for k, v in self.git.items()]
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return f"<pre class='jp-mlops-diff'>{html.escape(str(self))}</pre>"


def _show(value: Any) -> str:
    return "(none)" if value is None else repr(value) if isinstance(value, str) else str(value)


def _cell(c: dict[str, Any]) -> str:
    a, b = c.get("seq_a"), c.get("seq_b")
    return f"{'-' if a is None else a} → {'-' if b is None else b}"


def diff(run_a: str, run_b: str, metric: str | None = None) -> RunDiff:
    """Compare run ``run_a`` (before) with run ``run_b`` (after); ids or unique prefixes.

    With ``metric``, only the cells the metric's logging cell depends on in either run (its
    slice), the params logged by them and the data they touched are compared.
    """
    return diff_on(tracker().store, run_a, run_b, metric)


def diff_on(store: Store, run_a: str, run_b: str, metric: str | None = None) -> RunDiff:
    """:func:`diff` in a given store (the server's)."""
    a, b = run_state(store, [run_a, run_b])
    return compare(a, b, metric)


def compare(a: dict[str, Any], b: dict[str, Any], metric: str | None = None) -> RunDiff:
    """:func:`diff` on the records :func:`..store.queries.diff.run_state` returns."""
    found = RunDiff(a["run"]["run_id"], b["run"]["run_id"], metric)
    on_a = on_b = None  # the seqs on the metric's slice in each run (None: every cell)
    if metric is not None:
        ma, mb = a["metrics"].get(metric), b["metrics"].get(metric)
        if ma is None and mb is None:
            known = sorted(set(a["metrics"]) | set(b["metrics"]))
            raise NotFound(f"neither run logged metric {metric!r}; they logged: "
                           f"{', '.join(known) or 'no metrics'}")
        found.values = (None if ma is None else ma[0], None if mb is None else mb[0])
        on_a, on_b = _slice(a, ma), _slice(b, mb)
    pairs = align(a["cells"], b["cells"])
    if on_a is not None and on_b is not None:
        sa, sb = on_a, on_b
        pairs = [(x, y) for x, y in pairs
                 if (x is not None and x["seq"] in sa) or (y is not None and y["seq"] in sb)]
    found.params = _params(a["params"], b["params"], on_a, on_b)
    found.cells = [c for x, y in pairs if (c := change(x, y)) is not None]
    found.data = _first_data(a, b, pairs)
    ea, eb = a["environment"] or {}, b["environment"] or {}
    found.environment = {k: {"a": ea.get(k), "b": eb.get(k)} for k in _ENV_FIELDS
                         if ea and eb and ea.get(k) != eb.get(k)}
    pa, pb = ea.get("packages") or {}, eb.get("packages") or {}
    found.packages = [{"name": n, "a": pa.get(n), "b": pb.get(n)}
                      for n in sorted(set(pa) | set(pb)) if pa.get(n) != pb.get(n)]
    ra, rb = a["run"], b["run"]
    found.git = {k: {"a": ra[f"git_{k}"], "b": rb[f"git_{k}"]} for k in ("commit", "dirty")
                 if ra[f"git_{k}"] != rb[f"git_{k}"]}
    return found


def _slice(state: dict[str, Any], logged: tuple[float, int | None] | None) -> set[int]:
    """The seqs of the cells the metric's logging cell depends on (empty if not logged)."""
    if logged is None or logged[1] is None:
        return set()
    target = logged[1]
    cells = pd.DataFrame([c for c in state["cells"] if c["status"] == "ok"
                          and c["seq"] <= target])
    if cells.empty or cells.seq.iloc[-1] != target:
        return {target}  # the logging cell failed after logging: it alone is known
    seqs = cells["seq"].tolist()  # a RangeIndex: the kept labels are positions
    return {int(seqs[i]) for i in slice_rows(cells)}


def _params(pa: dict[str, tuple[Any, int | None]], pb: dict[str, tuple[Any, int | None]],
            on_a: set[int] | None, on_b: set[int] | None) -> list[dict[str, Any]]:
    out = []
    for key in sorted(set(pa) | set(pb)):
        va, sa = pa.get(key, (None, None))
        vb, sb = pb.get(key, (None, None))
        if va == vb and key in pa and key in pb:
            continue
        if on_a is not None and on_b is not None and not (
                (key in pa and (sa is None or sa in on_a))
                or (key in pb and (sb is None or sb in on_b))):
            continue
        out.append({"key": key, "a": va, "b": vb, "seq_a": sa, "seq_b": sb})
    return out


def _first_data(a: dict[str, Any], b: dict[str, Any],
                pairs: list[tuple[dict[str, Any] | None, dict[str, Any] | None]]
                ) -> dict[str, Any] | None:
    """The first dataset, in cell order, that a paired cell read or wrote under the same name
    in both runs with different fingerprints, and the cells that produced it."""
    da, db_ = _by_cell(a["data"]), _by_cell(b["data"])
    for x, y in pairs:
        if x is None or y is None:
            continue
        left, right = da.get(x["seq"], {}), db_.get(y["seq"], {})
        for key in sorted(set(left) & set(right), key=lambda k: (k[0] != "reads", k[1])):
            was, now = left[key], right[key]
            if was["fingerprint"] == now["fingerprint"]:
                continue
            relation, name = key
            pa = x["seq"] if relation == "writes" else _writer(a, name, x["seq"])
            pb = y["seq"] if relation == "writes" else _writer(b, name, y["seq"])
            return {"name": name, "relation": relation, "seq_a": x["seq"], "seq_b": y["seq"],
                    "fingerprint_a": was["fingerprint"], "fingerprint_b": now["fingerprint"],
                    "shape_a": was["shape"], "shape_b": now["shape"],
                    "producer_a": pa, "producer_b": pb,
                    "same_source": _source(a, pa) == _source(b, pb) and pa is not None}
    return None


def _by_cell(data: list[dict[str, Any]]) -> dict[int, dict[tuple[str, str], dict[str, Any]]]:
    out: dict[int, dict[tuple[str, str], dict[str, Any]]] = {}
    for d in data:
        out.setdefault(d["seq"], {})[(d["relation"], d["name"])] = d
    return out


def _writer(state: dict[str, Any], name: str, before: int) -> int | None:
    """The last cell before seq ``before`` that wrote ``name`` (None: none recorded)."""
    seqs = [d["seq"] for d in state["data"]
            if d["relation"] == "writes" and d["name"] == name and d["seq"] < before]
    return max(seqs) if seqs else None


def _source(state: dict[str, Any], seq: int | None) -> str | None:
    return next((c["source"] for c in state["cells"] if c["seq"] == seq), None)
