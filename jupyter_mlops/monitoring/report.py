"""The result of a drift check: a per-column table and the dataset verdict."""

from __future__ import annotations

import html
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: Columns of :meth:`DriftReport.to_frame`, in order.
COLUMNS = ["column", "kind", "method", "statistic", "p_value", "p_adjusted", "effect",
           "effect_name", "threshold", "drifted", "psi", "js", "tvd", "missing_reference",
           "missing_current", "missing_drifted", "new_categories", "vanished_categories",
           "skipped"]


def later(data: Any) -> Callable[[], str | None]:
    """The fingerprint of ``data``, computed when first asked for (None if it is gone by
    then): a report only needs it to be recorded, and hashing costs as much as scoring."""
    ref = weakref.ref(data)

    def compute() -> str | None:
        from ..capture.fingerprint import fingerprint

        found = ref()
        return None if found is None else fingerprint(found)

    return compute


@dataclass
class DriftReport:
    rows: list[dict[str, Any]]
    share_threshold: float
    method: str
    n_reference: int
    n_current: int
    reference_source: str | Callable[[], str | None] | None = None  # fingerprint, or later()
    current_source: str | Callable[[], str | None] | None = None
    reference_name: str | None = None
    model: str | None = None
    id: str | None = None  # the report's event id once saved
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def reference(self) -> str | None:
        """The reference dataset's fingerprint."""
        if callable(self.reference_source):
            self.reference_source = self.reference_source()
        return self.reference_source

    @property
    def current(self) -> str | None:
        """The current dataset's fingerprint."""
        if callable(self.current_source):
            self.current_source = self.current_source()
        return self.current_source

    def to_frame(self) -> pd.DataFrame:
        """One row per column: type, method, statistic, p-value, adjusted p, effect, verdict."""
        return pd.DataFrame(self.rows, columns=COLUMNS)

    @property
    def compared(self) -> list[str]:
        return [r["column"] for r in self.rows if not r.get("skipped")]

    @property
    def drifted_columns(self) -> list[str]:
        return [r["column"] for r in self.rows if r.get("drifted")]

    @property
    def share_drifted(self) -> float:
        return len(self.drifted_columns) / len(self.compared) if self.compared else 0.0

    @property
    def dataset_drift(self) -> bool:
        return bool(self.compared) and self.share_drifted >= self.share_threshold

    def summary(self) -> str:
        verdict = "DRIFT" if self.dataset_drift else "no dataset drift"
        return (f"{verdict}: {len(self.drifted_columns)} of {len(self.compared)} columns drifted "
                f"({self.share_drifted:.0%}, threshold {self.share_threshold:.0%}); "
                f"{self.n_reference:,} reference rows, {self.n_current:,} current rows")

    def __repr__(self) -> str:
        return f"<DriftReport {self.summary()}>"

    def _repr_html_(self) -> str:
        frame = self.to_frame()[["column", "kind", "method", "statistic", "p_adjusted",
                                 "effect", "threshold", "drifted", "skipped"]]
        color = "#b00020" if self.dataset_drift else "#1b7f3b"
        table = frame.to_html(index=False, na_rep="", float_format=lambda v: f"{v:.4g}",
                              border=0, classes="jp-mlops-drift")
        return (f'<div><p style="color:{color};font-weight:bold">{html.escape(self.summary())}'
                f"</p>{table}</div>")
