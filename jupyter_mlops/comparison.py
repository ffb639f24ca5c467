"""Why did this metric change? Two runs compared cell by cell.

``mlops.diff(a, b, metric=None)`` aligns the runs' cells (by nbformat cell id, then by source,
then by position between aligned cells) and reports, in this order: params that differ; cells
added, removed or edited (a unified source diff); the first dataset whose fingerprint differs,
with the cell that produced it; environment and package differences; git differences. With
``metric``, only what lies on the metric's slice in either run (the cells its logging cell
depends on, :func:`.lineage.slice`'s rule) is reported, first divergence first.
"""

from __future__ import annotations

import bisect
import difflib
import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .exceptions import NotFound
from .lineage import _slice_rows
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
    found.cells = [c for x, y in pairs if (c := _change(x, y)) is not None]
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
    return {int(seqs[i]) for i in _slice_rows(cells)}


def align(cells_a: list[dict[str, Any]], cells_b: list[dict[str, Any]]
          ) -> list[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """Pairs (cell of a, cell of b) in order; None on the side a cell is missing from.

    Executions are paired by cell id (the k-th execution of an id with its k-th), then by
    identical source, then the rest by position between two paired cells when their sources
    are alike (an edited cell of a kernel that sends no cell ids).
    """
    pairs: dict[int, int] = {}  # index in a -> index in b
    for key in ("cell_id", "source_hash"):
        left = _occurrences(cells_a, key, pairs.keys())
        right = _occurrences(cells_b, key, pairs.values())
        pairs.update((i, right[k]) for k, i in left.items() if k in right)
    anchors = sorted(pairs.items())
    anchor_a, anchor_b = [i for i, _ in anchors], sorted(j for _, j in anchors)
    gaps: dict[int, tuple[list[int], list[int]]] = {}
    for i in range(len(cells_a)):
        if i not in pairs:
            gaps.setdefault(bisect.bisect(anchor_a, i), ([], []))[0].append(i)
    taken = set(pairs.values())
    for j in range(len(cells_b)):
        if j not in taken:
            gaps.setdefault(bisect.bisect(anchor_b, j), ([], []))[1].append(j)
    # sorted by (the paired cell of a it follows, then: removed before paired-or-added,
    # each in its own run's order), the way a unified diff orders its lines
    Key = tuple[int, int, int]
    out: list[tuple[Key, dict[str, Any] | None, dict[str, Any] | None]] = [
        ((i, 0, 0), cells_a[i], cells_b[j]) for i, j in anchors]
    for gap, (only_a, only_b) in gaps.items():
        before = anchor_a[gap - 1] if gap else -1
        for n, i in enumerate(only_a):
            j = only_b[n] if n < len(only_b) else -1
            if j >= 0 and _alike(cells_a[i]["source"], cells_b[j]["source"]):
                out.append(((before, 2, j), cells_a[i], cells_b[j]))
                only_b[n] = -1
            else:
                out.append(((before, 1, i), cells_a[i], None))
        out += [((before, 2, j), None, cells_b[j]) for j in only_b if j >= 0]
    out.sort(key=lambda t: t[0])
    return [(x, y) for _, x, y in out]


def _occurrences(cells: list[dict[str, Any]], key: str, skip: Any) -> dict[tuple[Any, int], int]:
    """(value of ``key``, its k-th occurrence) -> index, over the cells not yet paired."""
    skipped, seen, out = set(skip), dict[Any, int](), {}
    for i, c in enumerate(cells):
        value = c[key]
        if i in skipped or value is None:
            continue
        k = seen[value] = seen.get(value, -1) + 1
        out[(value, k)] = i
    return out


def _alike(x: str | None, y: str | None) -> bool:
    m = difflib.SequenceMatcher(None, x or "", y or "", autojunk=False)
    return m.real_quick_ratio() >= 0.5 and m.quick_ratio() >= 0.5 and m.ratio() >= 0.5


def _change(x: dict[str, Any] | None, y: dict[str, Any] | None) -> dict[str, Any] | None:
    """One cell's difference (None if it ran the same source with the same outcome)."""
    if x is not None and y is not None and x["source"] == y["source"]:
        if x["status"] == y["status"]:
            return None
        change = "status"
    else:
        change = "added" if x is None else "removed" if y is None else "edited"
    before, after = (x or {}).get("source") or "", (y or {}).get("source") or ""
    seq_a, seq_b = (None if x is None else x["seq"]), (None if y is None else y["seq"])
    text = "".join(difflib.unified_diff(
        _lines(before), _lines(after), f"a/{seq_a or '-'}", f"b/{seq_b or '-'}"))
    return {"change": change, "seq_a": seq_a, "seq_b": seq_b,
            "cell_id": (y or x or {}).get("cell_id"),
            "status_a": None if x is None else x["status"],
            "status_b": None if y is None else y["status"],
            "diff": text}


def _lines(source: str) -> list[str]:
    return [line if line.endswith("\n") else line + "\n"
            for line in source.splitlines(keepends=True)]


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
