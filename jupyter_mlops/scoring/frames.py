"""Record batches as the DataFrames a model was fitted on, converted once per chunk.

Float columns (most models' features) are copied straight from Arrow into one float64
buffer per thread that every chunk reuses: no new pages to fault in per chunk (converting a
100 MB chunk through ``to_pandas`` cost as much as a tenth of the model's predict on a loaded
machine) and one chunk's worth of memory however many are scored. :meth:`Frames.part` makes
one slice of a chunk, on the thread that predicts it: the copy runs on every core and the
slice is still in cache when the model reads it. Any other column (text, categories,
integers) goes through pandas as the model saw it.
"""

from __future__ import annotations

import threading
from typing import Any

from .. import signatures


class Frames:
    """Converts each record batch (or table) to the model's DataFrame: ``columns`` in that
    order, text as ``category`` where the ``signature`` saw categories (CSV has none)."""

    def __init__(self, columns: list[str], signature: dict[str, Any] | None) -> None:
        self.columns = columns
        self.kinds = {c["name"]: c for c in (signature or {}).get("columns", [])}
        self._local = threading.local()  # each thread's buffer

    def __call__(self, batch: Any) -> Any:
        if self._floats(batch):
            return self._float_frame(batch)
        return self._pandas_frame(batch)

    def part(self, batch: Any, start: int, stop: int) -> Any:
        """Rows ``start`` to ``stop`` of ``batch`` as the model's DataFrame."""
        return self(batch.slice(start, stop - start))

    def _floats(self, batch: Any) -> bool:
        import pyarrow as pa

        return bool(self.columns) and all(
            pa.types.is_float64(batch.schema.field(name).type)
            and self.kinds.get(name, {}).get("kind") in (None, "float")
            for name in self.columns)

    def _float_frame(self, batch: Any) -> Any:
        import numpy as np
        import pandas as pd

        rows = batch.num_rows
        buffer = getattr(self._local, "buffer", None)
        if buffer is None or len(buffer) < rows:
            buffer = self._local.buffer = np.empty((rows, len(self.columns)),
                                                   dtype=np.float64, order="F")
        values = buffer[:rows]
        for i, name in enumerate(self.columns):  # a null becomes NaN, as to_pandas makes it
            column = batch.column(name)
            start = 0
            for part in getattr(column, "chunks", [column]):  # a table's column: its chunks
                values[start:start + len(part), i] = part.to_numpy(zero_copy_only=False)
                start += len(part)
        return pd.DataFrame(values, columns=self.columns, copy=False)

    def _pandas_frame(self, batch: Any) -> Any:
        frame = batch.select(self.columns).to_pandas()
        for name, column in self.kinds.items():
            if column["kind"] == "category" and frame[name].dtype != "category":
                frame[name] = frame[name].astype("category")
            elif column["kind"] == "float" and signatures.kind_of(frame[name].dtype) \
                    in ("integer", "boolean"):
                frame[name] = frame[name].astype(column["dtype"])
        return frame
