"""Benchmarks (`make bench`): each prints its figure beside a baseline measured in the same run.

These machines are noisy, so the ratio to the in-run baseline is the figure to compare
across runs; the absolute numbers are checked against the issue's targets.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Result:
    name: str
    value: float
    unit: str
    target: str
    ok: bool
    baseline: str
    ratio: str
