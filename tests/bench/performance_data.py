"""The performance benchmark's data, seeded: a covariate shift that moves more and more rows
towards the decision boundary, so accuracy falls chunk by chunk while P(y | x) stays the
same. Needs only numpy, so the NannyML comparison runs this very file in its own venv
(`python performance_data.py SCORES.npz` -> its estimates and timing as JSON)."""

from __future__ import annotations

import numpy as np

FEATURES, TRAIN, REFERENCE, CHUNKS, CHUNK = 6, 20_000, 20_000, 10, 5_000
CLASSES = 4  # of the multiclass case
METRICS = ("accuracy", "f1", "roc_auc")


def make(rows: int, *, shift: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels; ``shift`` squeezes x0 and x1 towards the boundary (0: none)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (rows, FEATURES))
    x[:, :2] *= 1 - 0.4 * shift
    x[:, 0] -= shift / 3
    logit = 1.0 + 2 * x[:, 0] - 1.5 * x[:, 1] + x[:, 2] * x[:, 3] + 0.5 * np.sin(3 * x[:, 4])
    return x, rng.random(rows) < 1 / (1 + np.exp(-logit))


def make_multiclass(rows: int, *, shift: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Features and one of ``CLASSES`` labels drawn from a softmax of linear, interaction
    and sine logits; ``shift`` squeezes x0 and x1 towards where the classes overlap."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (rows, FEATURES))
    x[:, :2] *= 1 - 0.45 * shift
    logits = np.column_stack([2 * x[:, 0] - x[:, 1], 2 * x[:, 1] - x[:, 0],
                              x[:, 2] * x[:, 3] - x[:, 0] - x[:, 1],
                              np.sin(3 * x[:, 4]) + 0.5 * x[:, 5]][:CLASSES])
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    cumulative = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    return x, np.minimum((rng.random((rows, 1)) > cumulative).sum(axis=1), CLASSES - 1)


def shifts() -> np.ndarray:
    """The shift of each analysis chunk, from none to strong."""
    return np.linspace(0, 1.5, CHUNKS)


if __name__ == "__main__":  # the NannyML side
    import json
    import os
    import sys
    import time
    import warnings

    os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"  # it phones home otherwise
    import nannyml as nml
    import pandas as pd

    warnings.filterwarnings("ignore")
    found = np.load(sys.argv[1])

    classes = found["reference_scores"].shape[1]
    columns = {str(k): f"proba_{k}" for k in range(classes)}

    def frame(part: str) -> pd.DataFrame:
        scores, labels = found[f"{part}_scores"], found[f"{part}_labels"].astype(int)
        if classes == 2:
            return pd.DataFrame({"y_pred_proba": scores[:, 1],
                                 "y_pred": (scores[:, 1] >= 0.5).astype(int), "y_true": labels})
        return pd.DataFrame({**{c: scores[:, int(k)] for k, c in columns.items()},
                             "y_pred": scores.argmax(axis=1).astype(str),
                             "y_true": labels.astype(str)})

    reference, analysis = frame("reference"), frame("analysis")
    t = time.process_time()
    estimator = nml.CBPE(y_pred_proba="y_pred_proba" if classes == 2 else columns,
                         y_pred="y_pred", y_true="y_true", metrics=list(METRICS),
                         problem_type="classification_binary" if classes == 2
                         else "classification_multiclass", chunk_size=CHUNK)
    estimator.fit(reference)
    result = estimator.estimate(analysis.drop(columns=["y_true"]))
    cpu = time.process_time() - t
    table = result.filter(period="analysis").to_df()
    print(json.dumps({"cpu": cpu, **{m: table[(m, "value")].tolist() for m in METRICS},
                      **{f"{m}_low": table[(m, "lower_confidence_boundary")].tolist()
                         for m in METRICS},
                      **{f"{m}_high": table[(m, "upper_confidence_boundary")].tolist()
                         for m in METRICS}}))
