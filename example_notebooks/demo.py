"""``make demo``: run the example notebook three times into .demo/, then show what was recorded.

Everything goes to a store under .demo/store, so the demo never touches your own store.
Running it again adds runs; it never fails because it ran before.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / ".demo"
STORE = DEMO / "store"
os.environ["JUPYTER_MLOPS_HOME"] = str(STORE)

PARAMETER_SETS = [
    {"n_estimators": 10, "max_depth": 1},
    {"n_estimators": 50, "max_depth": 3},
    {"n_estimators": 200, "max_depth": 8},
]


def step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def main() -> int:
    import pandas as pd
    import papermill

    from jupyter_mlops.store import Store, queries

    started = time.perf_counter()
    outputs = DEMO / "outputs"
    outputs.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for i, params in enumerate(PARAMETER_SETS, 1):
        step(f"[{i}/{len(PARAMETER_SETS)}] train.ipynb with {params}")
        t0 = time.perf_counter()
        papermill.execute_notebook(
            HERE / "train.ipynb", outputs / f"train-{stamp}-{i}.ipynb", parameters=params,
            kernel_name="python3", progress_bar=False, log_output=False)
        print(f"    done in {time.perf_counter() - t0:.1f} s")

    step("monitor.ipynb: a shifted batch against the training data's stored profile")
    t0 = time.perf_counter()
    papermill.execute_notebook(
        HERE / "monitor.ipynb", outputs / f"monitor-{stamp}.ipynb", parameters={"shift": 1.0},
        kernel_name="python3", progress_bar=False, log_output=False)
    print(f"    done in {time.perf_counter() - t0:.1f} s")

    store = Store.open(STORE)
    step("Runs recorded (newest first)")
    runs = queries.runs(store, experiment="wine-quality", limit=len(PARAMETER_SETS))
    runs = runs.dropna(subset=["metrics.f1_macro"])
    columns = ["run_id", "status", "duration_s", "cells", "params.n_estimators",
               "params.max_depth", "metrics.accuracy", "metrics.f1_macro"]
    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(runs[columns].assign(run_id=runs.run_id.str[:12]).to_string(index=False))

    best = runs.sort_values("metrics.f1_macro", ascending=False).iloc[0]
    step(f"Cells of the best run {best.run_id[:12]} (f1_macro {best['metrics.f1_macro']:.3f})")
    cells = queries.cells(store, best.run_id)
    print(cells[["seq", "status", "duration_ms", "reads", "writes"]].to_string(index=False))
    data = queries.cell_data(store, best.run_id)
    step("Data the cells read and wrote, by fingerprint")
    print(data[["seq", "relation", "name", "kind", "shape", "fingerprint"]]
          .assign(fingerprint=data.fingerprint.str[:16]).to_string(index=False))

    step("The latest drift report")
    report = queries.drift_reports(store, limit=1).iloc[0]
    verdict = "DATASET DRIFT" if report.dataset_drift else "no dataset drift"
    print(f"    {verdict}: {report.columns_drifted} of {report.columns_compared} columns "
          f"drifted, against the profile '{report.reference_name}'")
    columns = queries.drift_columns(store, report.id)
    drifted = columns[columns.drifted]
    print(drifted[["column_name", "method", "statistic", "p_adjusted", "effect"]]
          .to_string(index=False))

    step(f"Finished in {time.perf_counter() - started:.0f} s. Try:")
    print(f"    executed notebooks:  {outputs}/")
    print(f"    export JUPYTER_MLOPS_HOME={STORE}")
    print("    .venv/bin/jupyter mlops runs            # the table above, from the shell")
    print(f"    .venv/bin/jupyter mlops show {best.run_id[:12]}   # one run in full")
    print("    .venv/bin/jupyter mlops drift-reports    # every drift report")
    print("    make lab                                 # JupyterLab on this store")
    return 0


if __name__ == "__main__":
    sys.exit(main())
