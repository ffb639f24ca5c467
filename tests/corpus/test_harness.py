"""The corpus comparison itself: what it forgives in outputs (only timings, addresses and the
cutting of streams), what it catches, and what a mismatch says."""

from __future__ import annotations

from typing import Any

import pytest

from tests.corpus import corpus

pytestmark = pytest.mark.corpus


def _notebook(*outputs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"cells": [{"cell_type": "markdown", "source": "# title"}] + [
        {"cell_type": "code", "source": "x = 1", "outputs": list(o)} for o in outputs]}


def _stream(text: str, name: str = "stdout") -> dict[str, Any]:
    return {"output_type": "stream", "name": name, "text": text}


def test_timings_and_addresses_are_the_only_text_forgiven() -> None:
    one = _notebook([_stream("Done in 0.52 s, then 13ms <Foo at 0x7f3a9c1d2e80>\nR2 0.91\n")])
    two = _notebook([_stream("Done in 1.7 s, then 9ms <Foo at 0x7f00aa11bb22>\nR2 0.91\n")])
    other = _notebook([_stream("Done in 1.7 s, then 9ms <Foo at 0x7f00aa11bb22>\nR2 0.92\n")])
    assert corpus.outputs(one, set()) == corpus.outputs(two, set())
    assert corpus.outputs(one, set()) != corpus.outputs(other, set())


def test_a_stream_cut_differently_is_the_same_output() -> None:
    cut = _notebook([_stream("a\n"), _stream("b\n"), _stream("w\n", "stderr"), _stream("c\n")])
    whole = _notebook([_stream("a\nb\n"), _stream("w\n", "stderr"), _stream("c\n")])
    assert corpus.outputs(cut, set()) == corpus.outputs(whole, set())


def test_a_random_cell_keeps_only_the_kinds_of_its_outputs() -> None:
    png = {"output_type": "display_data", "data": {"image/png": "AAAA", "text/plain": "<Figure>"}}
    one = _notebook([_stream("0.93\n"), png])
    two = _notebook([_stream("0.95\n"), {**png, "data": {**png["data"], "image/png": "BBBB"}}])
    assert corpus.outputs(one, {0}) == corpus.outputs(two, {0})
    assert corpus.outputs(one, set()) != corpus.outputs(two, set())
    assert corpus.outputs(one, {0}) != corpus.outputs(_notebook([png]), {0})


def test_text_from_capture_in_any_output_is_found() -> None:
    clean = _notebook([_stream("fine\n")])
    noisy = _notebook([_stream("fine\n")], [
        {"output_type": "error", "ename": "KeyError", "evalue": "x",
         "traceback": ["File .../jupyter_mlops/capture/hooks.py, line 3"]}])
    assert corpus.printed_by_capture(clean) == []
    assert corpus.printed_by_capture(noisy)[0].startswith("cell 1:")


def test_a_mismatch_names_notebook_cell_first_line_and_both_values() -> None:
    case = corpus.Case("demo", _notebook([], []), {
        "cells": [{"first": "x = 1", "reads": [], "writes": ["x"]},
                  {"first": "x = 1", "reads": [], "writes": ["x"]}],
        "slices": {1: [1]},
        "fits": [{"cell": 1, "estimator": "SVC", "method": "fit"}]})
    recorded = corpus.Recorded(reads={0: set(), 1: {"x"}}, writes={0: {"x"}, 1: {"x"}},
                               slices={1: [0, 1]}, fits=[(1, "SVC", "fit")])
    wrong = [str(d) for d in corpus.compare(case, recorded) if not d.same]
    assert wrong == ["demo cell 1 `x = 1`: reads expected [], recorded ['x']",
                     "demo cell 1 `x = 1`: slice expected [1], recorded [0, 1]"]
    counts = corpus.tally(corpus.compare(case, recorded))
    assert (counts["reads"].precision, counts["reads"].recall) == (0.0, 1.0)
    assert (counts["slice"].precision, counts["slice"].recall) == (0.5, 1.0)
