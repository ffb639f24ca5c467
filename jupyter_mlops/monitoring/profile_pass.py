"""One streaming pass over a numeric column's values, batch by batch, for out-of-core
profiles: counts, mean and variance (merged exactly per batch, Chan et al.), the exact
``TAIL_VALUES`` smallest and largest values, and the counts of ``BINS`` equal bins between
the column's known minimum and maximum.

Why not a DuckDB GROUP BY per column: its hash aggregation costs about four scans of the
column, where numpy's ``bincount`` of the bin indices costs a fraction of one. The bin index
is ``floor((x - lo) * scan.bin_scale(...))`` here and in ``scan.histogram``'s SQL alike (the same
float operations on the same numbers), so a bin refined there holds exactly the rows counted
here.
"""

from __future__ import annotations

import numpy as np

from ..store.queries.profile_scan import bin_scale
from .profiles import TAIL_VALUES

#: Bins between a column's minimum and maximum: a normal column's fullest bin then holds
#: about 1/40,000 of its rows, under the refining threshold.
BINS = 1 << 17
#: Values per slice of a batch (512 kB: they stay in the core's cache between operations).
SLICE = 1 << 16


class ColumnPass:
    """Statistics of one numeric column, fed batches of its values (NaN for missing)."""

    def __init__(self, lo: float, hi: float) -> None:
        self.lo, self.hi = lo, hi
        self.scale = bin_scale(lo, hi, BINS)
        self.present, self.mean, self.m2 = 0, 0.0, 0.0
        self.low, self.high = np.empty(0), np.empty(0)
        self.counts = np.zeros(BINS, dtype=np.int64)

    def add(self, x: np.ndarray) -> None:
        """Slice by slice, so the dozen numpy operations on a slice find it in the cache."""
        clean = bool(np.isfinite(x).all())
        if not clean:
            x = x[~np.isnan(x)]
        keys, used = np.empty(x.size, dtype=np.intp), 0
        t = np.empty(min(x.size, SLICE))
        for i in range(0, x.size, SLICE):
            part = x[i:i + SLICE]
            self._moments(part, t[:part.size])
            self._tails(part)
            if not clean:  # infinite values are only tails
                part = part[(part >= self.lo) & (part <= self.hi)]
            bins = np.subtract(part, self.lo, out=t[:part.size])
            np.multiply(bins, self.scale, out=bins)
            keys[used:used + part.size] = bins  # the floor: bins are not negative
            used += part.size
        counts = np.bincount(keys[:used], minlength=BINS + 1)  # BINS: the maximum
        self.counts += counts[:BINS]
        self.counts[-1] += counts[BINS:].sum()

    def _moments(self, x: np.ndarray, t: np.ndarray) -> None:
        with np.errstate(invalid="ignore"):  # infinite values: NaN moments, as numpy's
            m, mean = x.size, float(x.mean())
            np.subtract(x, mean, out=t)
            np.multiply(t, t, out=t)
            total, delta = self.present + m, mean - self.mean
            self.mean += delta * m / total
            self.m2 += float(t.sum()) + delta * delta * self.present * m / total
        self.present = total

    def _tails(self, x: np.ndarray) -> None:
        """Only values beyond the current k-th smallest (largest) can enter the tails: one
        comparison per value once the tails are full."""
        low = x[x < self.low[-1]] if self.low.size == TAIL_VALUES else x
        if low.size:
            low = np.r_[self.low, low]
            self.low = np.sort(np.partition(low, TAIL_VALUES - 1)[:TAIL_VALUES]
                               if low.size > TAIL_VALUES else low)
        high = x[x > self.high[0]] if self.high.size == TAIL_VALUES else x
        if high.size:
            high = np.r_[self.high, high]
            self.high = np.sort(np.partition(high, high.size - TAIL_VALUES)[-TAIL_VALUES:]
                                if high.size > TAIL_VALUES else high)

    @property
    def std(self) -> float:
        return float(np.sqrt(self.m2 / self.present)) if self.present else float("nan")

    def bins(self) -> np.ndarray:
        """(bin, count, left edge, right edge) of each non-empty bin, the format of
        ``scan.histogram`` with the edges in place of the bin's own min and max."""
        k = np.flatnonzero(self.counts)
        width = (self.hi - self.lo) / BINS
        return np.column_stack([k, self.counts[k], self.lo + k * width,
                                np.minimum(self.lo + (k + 1) * width, self.hi)]).astype(float)
