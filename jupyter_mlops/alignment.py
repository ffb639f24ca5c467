"""Pairing two runs' cells for :func:`.comparison.diff`: by nbformat cell id (the k-th
execution of an id with the k-th), then by identical source, then by position between paired
cells when the sources are at least half alike; the rest are added or removed."""

from __future__ import annotations

import bisect
import difflib
from typing import Any


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


def change(x: dict[str, Any] | None, y: dict[str, Any] | None) -> dict[str, Any] | None:
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
