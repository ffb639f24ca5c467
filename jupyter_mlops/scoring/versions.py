"""The versions that score a batch: the champion (the model asked for), shadows (score every
row, serve none) and a canary (serves a fixed fraction of rows). Each keeps its predictions
in the store, per batch, so they can be compared once labels arrive."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..exceptions import BadReference, ScoringError
from ..registry import ModelVersion, load_version, resolve, warn_retired
from ..store import Store
from .files import Output
from .slices import Part, Slices

_CANARY = re.compile(r"^(?P<ref>.+):(?P<fraction>0?\.[0-9]+|0|1(?:\.0*)?)$")


def parse_canary(canary: str | tuple[str, float]) -> tuple[str, float]:
    """``"churn@challenger:0.1"`` or ``("churn@challenger", 0.1)``: the version and the
    fraction of rows it serves, strictly between 0 and 1."""
    if isinstance(canary, tuple):
        ref, fraction = canary[0], float(canary[1])
    else:
        match = _CANARY.match(str(canary))
        if not match:
            raise BadReference(f"canary {canary!r}: write MODEL:FRACTION, e.g. "
                               f"churn@challenger:0.1 (a tenth of the rows)")
        ref, fraction = match["ref"], float(match["fraction"])
    if not 0 < fraction < 1:
        raise BadReference(f"canary {canary!r}: the fraction must be between 0 and 1 "
                           f"(exclusive), as in churn@challenger:0.1")
    return ref, fraction


@dataclass
class Scorer:
    """One version taking part in a batch, and the file its predictions go to."""

    role: str  # champion, shadow or canary
    version: ModelVersion
    model: Any
    predictions: Output
    rows: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.version.name}:{self.version.version}"

    @property
    def file(self) -> str:
        """Where its predictions are kept, relative to the store."""
        return f"scores/{self.predictions.path.parent.name}/{self.predictions.path.name}"

    def predict(self, part: Part, rows: Any, slices: Slices) -> Any:
        """Predictions for the frame ``part`` makes of a chunk (global row numbers
        ``rows``), kept in the store."""
        import numpy as np
        import pyarrow as pa

        try:
            predicted = np.asarray(slices.predict(self.model, len(rows), part))
        except Exception as e:  # the model's own message, with where it happened
            frame = part(0, len(rows))
            nulls = [c for c in frame.columns if len(frame) and frame[c].isna().all()]
            hint = f" (all null here: {', '.join(map(str, nulls))})" if nulls else ""
            raise ScoringError(
                f"{self.label} failed on rows {rows[0]}-{rows[-1]}{hint}: "
                f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from None
        self.predictions.write(pa.record_batch({"row": pa.array(rows, pa.int64()),
                                                "prediction": pa.array(predicted)}))
        self.rows += len(rows)
        return predicted


def scorer(store: Store, ref: str, role: str, batch_id: str, *, trusted: bool) -> Scorer:
    """``ref`` resolved (a retired version only by explicit version, as for loading) and
    loaded, with its predictions file for this batch."""
    version = resolve(store, ref)
    warn_retired(version)
    model = load_version(store, version, trusted=trusted)
    if not hasattr(model, "predict"):
        raise ScoringError(f"{version.name}:{version.version} has no predict(): it cannot "
                           f"score (a transformer?)")
    folder = Path(store.root) / "scores" / batch_id
    return Scorer(role, version, model,
                  Output(folder / f"{version.name}-{version.version}.parquet"))
