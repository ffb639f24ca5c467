"""One streaming pass over a numeric column's values, batch by batch, for out-of-core
profiles: counts, mean and variance (merged exactly per slice, Chan et al.), the exact
``TAIL_VALUES`` smallest and largest values, and the counts of ``BINS`` equal bins between
the column's known minimum and maximum.

Why fast-histogram's ``histogram1d``, not numpy's ``bincount`` of the bin indices nor a
DuckDB GROUP BY per column: its C loop bins a value in one step (about 1.5 ns), where
numpy's cast to indices and ``bincount`` take three passes (3.3 ns) and DuckDB's hash
aggregation about four scans of the column. It computes a value's bin as
``(x - lo) * (BINS / (hi - lo))``, truncated, as ``scan.histogram``'s SQL does (the same float
operations on the same numbers, ``scan.bin_scale``), so a bin refined there holds exactly the
rows counted here.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from ..store.queries.profile_scan import bin_scale
from .profiles import TAIL_VALUES

#: Bins between a column's minimum and maximum: a normal column's fullest bin then holds
#: about 1/40,000 of its rows, under the refining threshold.
BINS = 1 << 17
#: Values per slice (512 kB: they stay in the core's cache between operations).
SLICE = 1 << 16
#: Below this share of the scaled sum of squares, the one-pass variance of a slice may have
#: lost digits to cancellation, and the slice is centred first (two passes).
CANCELLATION = 1e-3


class ColumnPass:
    """Statistics of one numeric column, fed batches of its values (NaN for missing)."""

    def __init__(self, lo: float, hi: float) -> None:
        self.lo, self.hi = lo, hi
        self.scale = bin_scale(lo, hi, BINS)
        self.present, self.mean, self.m2 = 0, 0.0, 0.0
        self._low, self._high = np.empty(0), np.empty(0)
        self._lows: list[np.ndarray] = []
        self._highs: list[np.ndarray] = []
        self._waiting = [0, 0]  # the values in _lows, in _highs
        #: Values in [lo, hi] added, and the bins' counts (floats: histogram1d's, exact to
        #: 2**53) of those below ``hi``: the bins' counts leave out the maximum itself.
        self.inside = 0
        self._counts = np.zeros(BINS)

    def add(self, x: np.ndarray) -> None:
        """The batch binned at once (NaN and infinity fall outside every bin), then slice by
        slice, so the numpy operations on a slice find it in the cache. The sum of a slice's
        offsets from ``lo`` says whether it is all finite: the rare slice that is not takes
        the general way."""
        from fast_histogram import histogram1d

        if self.scale:
            self._counts += histogram1d(x, BINS, (self.lo, self.hi))
        work = _WORK.buffer
        for i in range(0, x.size, SLICE):
            part = x[i:i + SLICE]
            u = np.subtract(part, self.lo, out=work[:part.size])
            s = float(u.sum())
            if math.isfinite(s):
                self._finite(part, u, s)
            else:
                self._general(part)

    def _finite(self, x: np.ndarray, u: np.ndarray, s: float) -> None:
        """The moments from the offsets ``u = x - lo`` (bounded by the range, so one pass
        loses no digits unless the slice is narrow against the range: it is then centred
        first)."""
        m = x.size
        # einsum, not dot: BLAS threads spin on every call of a cache-sized slice
        q = float(np.einsum("i,i->", u, u))
        m2 = q - s * s / m
        if m2 <= CANCELLATION * q:
            u -= s / m
            m2 = float(np.einsum("i,i->", u, u))
        self._merge(m, self.lo + s / m, m2)
        self.inside += m
        self._tails(x)

    def _general(self, x: np.ndarray) -> None:
        """NaN is missing; infinite values make the moments NaN (as numpy's) and are tails,
        outside every bin."""
        x = x[~np.isnan(x)]
        if not x.size:
            return
        with np.errstate(invalid="ignore"):
            mean = float(x.mean())
            m2 = float(np.square(x - mean).sum())
        self._merge(x.size, mean, m2)
        self._tails(x)
        self.inside += int(np.count_nonzero((x >= self.lo) & (x <= self.hi)))

    def _merge(self, m: int, mean: float, m2: float) -> None:
        """Chan et al.'s exact merge of a slice's count, mean and sum of squared deviations
        (Python floats: infinity makes NaN without numpy's warning)."""
        total, delta = self.present + m, mean - self.mean
        self.mean += delta * m / total
        self.m2 += m2 + delta * delta * self.present * m / total
        self.present = total

    def _tails(self, x: np.ndarray) -> None:
        """Only values beyond the current k-th smallest (largest) can enter the tails: one
        comparison per value. They wait until k of them have come, then one partition keeps
        the k most extreme (a partition per slice would cost more than the comparisons)."""
        if self._low.size < TAIL_VALUES or self._high.size < TAIL_VALUES:
            self._low = _extreme(np.r_[self._low, x], TAIL_VALUES)
            self._high = _extreme(np.r_[self._high, x], -TAIL_VALUES)
            return
        low, high = x[x < self._low[-1]], x[x > self._high[0]]
        if low.size:
            self._lows.append(low)
            self._waiting[0] += low.size
        if high.size:
            self._highs.append(high)
            self._waiting[1] += high.size
        if max(self._waiting) >= TAIL_VALUES:
            self._settle()

    def _settle(self) -> None:
        self._low = _extreme(np.concatenate([self._low, *self._lows]), TAIL_VALUES)
        self._high = _extreme(np.concatenate([self._high, *self._highs]), -TAIL_VALUES)
        self._lows, self._highs, self._waiting = [], [], [0, 0]

    @property
    def low(self) -> np.ndarray:
        """The ``TAIL_VALUES`` smallest values added, sorted."""
        self._settle()
        return self._low

    @property
    def high(self) -> np.ndarray:
        """The ``TAIL_VALUES`` largest values added, sorted."""
        self._settle()
        return self._high

    @property
    def std(self) -> float:
        return float(np.sqrt(self.m2 / self.present)) if self.present else float("nan")

    @property
    def counts(self) -> np.ndarray:
        """Each bin's count; the last bin holds the maximum (every value in the range that
        ``histogram1d`` did not bin is ``hi``), and one bin all values when ``lo == hi``."""
        counts = self._counts.astype(np.int64)
        counts[-1 if self.scale else 0] += self.inside - int(counts.sum())
        return counts

    def bins(self) -> np.ndarray:
        """(bin, count, left edge, right edge) of each non-empty bin, the format of
        ``scan.histogram`` with the edges in place of the bin's own min and max."""
        counts = self.counts
        k = np.flatnonzero(counts)
        width = (self.hi - self.lo) / BINS
        return np.column_stack([k, counts[k], self.lo + k * width,
                                np.minimum(self.lo + (k + 1) * width, self.hi)]).astype(float)


def _extreme(x: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` smallest values (for a negative ``k``, the ``-k`` largest), sorted."""
    if x.size > abs(k):
        x = np.partition(x, k - 1)[:k] if k > 0 else np.partition(x, x.size + k)[k:]
    return np.sort(x)


class _Work(threading.local):
    """A thread's slice buffer, reused by every column it counts: a fresh one per slice
    would be out of the cache (and cost page faults) each time."""

    def __init__(self) -> None:
        self.buffer = np.empty(SLICE)


_WORK = _Work()
