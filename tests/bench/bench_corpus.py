"""Capture against the hand-checked corpus (tests/corpus): slice precision and recall, and
per cell how often reads and writes are exactly right and their per-name precision/recall.
Each notebook is recorded interactively as the corpus test does, by the same code."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.bench import Result
from tests.corpus import corpus

GOAL = "100%"


def _share(n: int, of: int) -> float:
    return 100.0 * n / of if of else 100.0


def run() -> list[Result]:
    diffs: list[corpus.Diff] = []
    failed = []
    for case in corpus.cases():
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp) / "session"
            work.mkdir()
            recorded = corpus.record(case, Path(tmp) / "store", work)
        if recorded.failed:
            failed.append(case.slug)
        diffs += corpus.compare(case, recorded)
    counts = corpus.tally(diffs)
    note = f"{len(corpus.cases())} notebooks" + (f", {len(failed)} failed" if failed else "")
    results = []
    for what, label, names in (("slice", "slices", ("exact", "precision", "recall")),
                               ("reads", "reads per cell", ("exact", "precision", "recall")),
                               ("writes", "writes per cell", ("exact", "precision", "recall")),
                               ("fits", "fits per notebook", ("exact",))):
        t = counts[what]
        figures = {"exact": (_share(t.exact, t.items), f"{t.exact}/{t.items} exactly right"),
                   "precision": (100 * t.precision, f"{t.hits}/{t.recorded} recorded are right"),
                   "recall": (100 * t.recall, f"{t.hits}/{t.expected} expected were recorded")}
        for name in names:
            value, detail = figures[name]
            results.append(Result(f"corpus {label}: {name}", value, "%", GOAL, value >= 100.0,
                                  f"{detail} ({note})", "-"))
    return results
