"""Labels for a scored batch, when they arrive: each version's realized metrics on it (the
champion's and a canary's on the rows each served, a shadow's on every row), recorded per
batch and version. History gates compare them (``"f1 > champion on last 3 batches"``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .. import events as ev
from ..exceptions import NotFound, ScoringError
from ..store.queries import reading
from ..store.queries.scoring import score_batch
from ..tracking import tracker
from ..tracking.decisions import record_now
from .files import file_format


def label(batch_id: str, labels: Any, *, column: str | None = None) -> Any:
    """Record the true labels of a scored batch; returns each version's realized metrics.

    ``labels``: one per input row, in input order (a list, array or Series; a null where the
    label is unknown yet), or a Parquet/CSV file of them (``column``: which one; default
    its only column). Classifiers get accuracy, f1, precision and recall (binary: of the
    larger class; otherwise macro averages); regressors rmse, mae and r2.
    """
    import pandas as pd

    t = tracker()
    with reading(t.store) as con:
        batch = score_batch(con, batch_id)
    if batch is None:
        raise NotFound(f"no scored batch {batch_id!r}: `jupyter mlops score` prints the "
                       f"batch id of each batch it scores")
    truth = _labels(labels, column)
    if len(truth) != batch["rows"]:
        raise ScoringError(f"{len(truth)} labels for batch {batch_id} of {batch['rows']} "
                           f"rows: give one label per input row, in input order (null where "
                           f"not known yet)")
    events, rows = [], []
    for version in batch["versions"]:
        found = _metrics(Path(t.store.root) / version["predictions"], truth)
        if found is None:
            continue
        metrics, count = found
        events.append(ev.Event(ev.BATCH_METRICS, {
            "run_id": t.ensure_run(), "batch_id": batch_id, "name": version["name"],
            "version": version["version"], "role": version["role"], "metrics": metrics,
            "rows": count}))
        rows.append({"name": version["name"], "version": version["version"],
                     "role": version["role"], "rows": count, **metrics})
    if not events:
        raise ScoringError(f"batch {batch_id} has no labeled rows yet (every label is null)")
    record_now(t.store, *events)
    return pd.DataFrame(rows)


def _labels(labels: Any, column: str | None) -> Any:
    """The labels as a pandas Series, from values or a file."""
    import pandas as pd

    if isinstance(labels, (str, os.PathLike)):
        path = str(labels)
        if not os.path.isfile(path):
            raise ScoringError(f"labels {path!r} is not a file")
        import pyarrow.csv as pcsv
        import pyarrow.parquet as pq

        table = pq.read_table(path) if file_format(path, "labels") == "parquet" \
            else pcsv.read_csv(path)
        if column is None and table.num_columns != 1:
            raise ScoringError(f"labels {path!r} has {table.num_columns} columns: name the "
                               f"one holding labels (column=...)")
        name = column or table.column_names[0]
        if name not in table.column_names:
            raise ScoringError(f"labels {path!r} has no column {name!r} (it has: "
                               f"{', '.join(table.column_names)})")
        return table.column(name).to_pandas()
    try:
        return pd.Series(labels).reset_index(drop=True)
    except (TypeError, ValueError) as e:
        raise ScoringError(f"labels must be a list, array, Series or a file: {e}") from None


def _metrics(path: Path, truth: Any) -> tuple[dict[str, float], int] | None:
    """The realized metrics of one version's kept predictions on the rows it scored that
    have a label (None: no such row)."""
    import numpy as np
    import pyarrow.parquet as pq

    kept = pq.read_table(path).to_pandas()
    actual = truth.iloc[kept["row"].to_numpy()].reset_index(drop=True)
    known = actual.notna().to_numpy()
    if not known.any():
        return None
    y, predicted = actual[known].to_numpy(), kept["prediction"].to_numpy()[known]
    from sklearn import metrics as m

    if _regression(y):
        y, predicted = y.astype(float), predicted.astype(float)
        return {"rmse": float(np.sqrt(m.mean_squared_error(y, predicted))),
                "mae": float(m.mean_absolute_error(y, predicted)),
                "r2": float(m.r2_score(y, predicted)) if len(y) > 1 else float("nan")
                }, int(known.sum())
    y, predicted = _same_type(y, predicted)
    classes = np.union1d(np.unique(y), np.unique(predicted))
    binary = len(classes) <= 2
    options: dict[str, Any] = {"average": "binary", "pos_label": classes[-1]} if binary \
        else {"average": "macro"}
    return {"accuracy": float(m.accuracy_score(y, predicted)),
            "f1": float(m.f1_score(y, predicted, zero_division=0, **options)),
            "precision": float(m.precision_score(y, predicted, zero_division=0, **options)),
            "recall": float(m.recall_score(y, predicted, zero_division=0, **options)),
            }, int(known.sum())


def _regression(y: Any) -> bool:
    """Labels that are floats with a fractional part are a regression's."""
    import numpy as np

    return y.dtype.kind == "f" and not np.all(np.mod(y, 1) == 0)


def _same_type(y: Any, predicted: Any) -> tuple[Any, Any]:
    """Labels and predictions as one type (a CSV's 0/1 labels read as floats, say)."""
    import numpy as np

    if y.dtype.kind in "fiub" and predicted.dtype.kind in "fiub":
        return y.astype(np.int64), predicted.astype(np.int64)
    return y.astype(str), predicted.astype(str)
