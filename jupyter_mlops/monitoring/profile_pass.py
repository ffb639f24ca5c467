"""One streaming pass over a numeric column's values, batch by batch, for out-of-core
profiles: counts, mean and variance (merged exactly per slice, Chan et al.), the exact
``TAIL_VALUES`` smallest and largest values, and the counts of ``BINS`` equal bins between
the column's known minimum and maximum.

Why not a DuckDB GROUP BY per column: its hash aggregation costs about four scans of the
column, where numpy's ``bincount`` of the bin indices costs a fraction of one. The bin index
is ``floor((x - lo) * scan.bin_scale(...))`` here and in ``scan.histogram``'s SQL alike (the same
float operations on the same numbers), so a bin refined there holds exactly the rows counted
here.
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
        self.counts = np.zeros(BINS, dtype=np.int64)

    def add(self, x: np.ndarray) -> None:
        """Slice by slice, so the numpy operations on a slice find it in the cache, and one
        ``bincount`` for the batch (it zeroes a 1 MB array each call). The sum of a slice's
        bin positions says whether it is all finite (NaN and infinity spread into it): the
        rare slice that is not takes the general way."""
        work = _work(x.size)
        for i in range(0, x.size, SLICE):
            part = x[i:i + SLICE]
            t = np.subtract(part, self.lo, out=work.t[:part.size])
            np.multiply(t, self.scale, out=t)
            s = float(t.sum())
            if math.isfinite(s) and self.scale:
                self._finite(part, t, s, work)
            else:
                self._general(part, work)
        counts = np.bincount(work.keys[:work.used], minlength=BINS + 1)  # BINS: the maximum
        self.counts += counts[:BINS]
        self.counts[-1] += counts[BINS:].sum()

    def _finite(self, x: np.ndarray, t: np.ndarray, s: float, work: _Work) -> None:
        """The moments from the bin positions ``t = (x - lo) * scale`` (bounded by ``BINS``,
        so one pass loses no digits unless the slice is narrow against the range: it is then
        centred first)."""
        m = x.size
        work.gather(t)
        # einsum, not dot: BLAS threads spin on every call of a cache-sized slice
        q = float(np.einsum("i,i->", t, t))
        m2 = q - s * s / m
        if m2 <= CANCELLATION * q:
            t -= s / m
            m2 = float(np.einsum("i,i->", t, t))
        self._merge(m, self.lo + s / m / self.scale, m2 / (self.scale * self.scale))
        self._tails(x)

    def _general(self, x: np.ndarray, work: _Work) -> None:
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
        x = x[(x >= self.lo) & (x <= self.hi)]
        if x.size:
            work.gather((x - self.lo) * self.scale)

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
            if sum(a.size for a in self._lows) >= TAIL_VALUES:
                self._settle()
        if high.size:
            self._highs.append(high)
            if sum(a.size for a in self._highs) >= TAIL_VALUES:
                self._settle()

    def _settle(self) -> None:
        self._low = _extreme(np.concatenate([self._low, *self._lows]), TAIL_VALUES)
        self._high = _extreme(np.concatenate([self._high, *self._highs]), -TAIL_VALUES)
        self._lows, self._highs = [], []

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

    def bins(self) -> np.ndarray:
        """(bin, count, left edge, right edge) of each non-empty bin, the format of
        ``scan.histogram`` with the edges in place of the bin's own min and max."""
        k = np.flatnonzero(self.counts)
        width = (self.hi - self.lo) / BINS
        return np.column_stack([k, self.counts[k], self.lo + k * width,
                                np.minimum(self.lo + (k + 1) * width, self.hi)]).astype(float)


def _extreme(x: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` smallest values (for a negative ``k``, the ``-k`` largest), sorted."""
    if x.size > abs(k):
        x = np.partition(x, k - 1)[:k] if k > 0 else np.partition(x, x.size + k)[k:]
    return np.sort(x)


class _Work(threading.local):
    """A thread's buffers, reused by every column it counts: fresh ones per call would be
    out of the cache (and cost page faults) each time."""

    def __init__(self) -> None:
        self.t, self.keys, self.used = np.empty(SLICE), np.empty(0, dtype=np.intp), 0

    def gather(self, t: np.ndarray) -> None:
        """Bin indices (the floor: ``t`` is not negative) wait here for one count."""
        self.keys[self.used:self.used + t.size] = t
        self.used += t.size


_WORK = _Work()


def _work(values: int) -> _Work:
    """This thread's buffers, room made for ``values`` bin indices."""
    if _WORK.keys.size < values:
        _WORK.keys = np.empty(values, dtype=np.intp)
    _WORK.used = 0
    return _WORK
