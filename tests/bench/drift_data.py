"""The drift benchmark's data, seeded. Needs only numpy and pandas, so the Evidently
comparison can run this very file in its own environment."""

from __future__ import annotations

import numpy as np
import pandas as pd

ROWS, NUMERIC, CATEGORICAL = 200_000, 20, 5
SHIFTED_NUMERIC, SHIFTED_CATEGORICAL = 5, 1
CATEGORIES = [f"k{i}" for i in range(10)]


def make(rows: int = ROWS, *, shifted: bool, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {}
    for i in range(NUMERIC):
        move = shifted and i < SHIFTED_NUMERIC
        data[f"num{i}"] = rng.normal(0.25 if move else 0.0, 1.2 if move else 1.0, rows)
    for j in range(CATEGORICAL):
        p = np.full(10, 0.1)
        if shifted and j < SHIFTED_CATEGORICAL:
            p = np.r_[0.25, np.full(9, 0.75 / 9)]
        data[f"cat{j}"] = rng.choice(CATEGORIES, rows, p=p)
    return pd.DataFrame(data)


if __name__ == "__main__":  # the Evidently side: python drift_data.py -> timing and verdicts
    import json
    import resource
    import time

    from evidently import Report
    from evidently.presets import DataDriftPreset

    ref, cur = make(shifted=False, seed=1), make(shifted=True, seed=2)
    t = time.process_time()
    result = Report([DataDriftPreset()]).run(cur, ref).dict()
    cpu = time.process_time() - t
    drifted = []
    for m in result["metrics"]:
        config = m.get("config", {})
        if "ValueDrift" not in str(config.get("type")) or m["value"] is None:
            continue
        value, threshold = float(m["value"]), config["threshold"]
        # a test drifts below its threshold (a p-value), a distance at or above it
        if value < threshold if "p_value" in config["method"] else value >= threshold:
            drifted.append(config["column"])
    print(json.dumps({"cpu": cpu, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                      / 1024, "drifted": drifted}))
