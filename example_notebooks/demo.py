"""``make demo``: train three models as jobs, monitor a drifted batch (which retrains through
the promotion gate), all into .demo/, then show what was recorded.

Everything goes to a store under .demo/store, so the demo never touches your own store.
Running it again adds runs; it never fails because it ran before.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO = Path(os.environ.get("JUPYTER_MLOPS_DEMO_DIR") or HERE.parent / ".demo")  # tests move it
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

    from jupyter_mlops import jobs
    from jupyter_mlops.store import Store, queries

    started = time.perf_counter()
    outputs = []
    for i, params in enumerate(PARAMETER_SETS, 1):
        step(f"[{i}/{len(PARAMETER_SETS)}] job: train.ipynb with {params}")
        t0 = time.perf_counter()
        result = jobs.run(str(HERE / "train.ipynb"), params, timeout="5m")
        print(f"    {result.status} in {time.perf_counter() - t0:.1f} s")
        outputs.append(result.output)
        if not result.ok:
            print(f"    {result.reason}")
            return 1

    step("job: monitor.ipynb on a shifted batch; on drift it retrains through the gate")
    t0 = time.perf_counter()
    result = jobs.run(str(HERE / "monitor.ipynb"), {"shift": 1.0}, timeout="5m")
    print(f"    {result.status} in {time.perf_counter() - t0:.1f} s")
    outputs.append(result.output)
    if not result.ok:
        print(f"    {result.reason}")
        return 1

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

    step("Model versions and aliases")
    print(queries.models(store)[["name", "version", "aliases", "metrics", "run_id"]]
          .assign(run_id=lambda f: f.run_id.str[:12]).to_string(index=False))

    step("Jobs")
    recent = queries.jobs(store, limit=len(PARAMETER_SETS) + 2)
    print(recent[["run_id", "notebook", "trigger", "status", "duration_s", "params"]]
          .assign(run_id=recent.run_id.str[:12], notebook=recent.notebook.map(
              lambda p: Path(p).name)).to_string(index=False))

    step("Lineage of wine@champion (what it came from)")
    from jupyter_mlops import lineage

    up = lineage.ancestors("wine@champion", depth=1)
    print(up[["kind", "id", "relation"]].assign(id=up.id.str[:16]).to_string(index=False))
    cells = lineage.slice("wine@champion")
    print(f"    and the {len(cells)} cells it depends on (`jupyter mlops export wine@champion "
          f"--to job.ipynb` writes them as a job):")
    for source in cells.source:
        print("      | " + source.strip().splitlines()[0][:90])

    step(f"Finished in {time.perf_counter() - started:.0f} s. Try:")
    print("    executed notebooks:")
    for output in outputs:
        print(f"      {output}")
    print(f"    export JUPYTER_MLOPS_HOME={STORE}")
    print("    .venv/bin/jupyter mlops runs            # the table above, from the shell")
    print(f"    .venv/bin/jupyter mlops show {best.run_id[:12]}   # one run in full")
    print("    .venv/bin/jupyter mlops drift-reports    # every drift report")
    print("    .venv/bin/jupyter mlops jobs             # every job execution")
    print("    .venv/bin/jupyter mlops lineage wine@champion --format dot")
    print("    make lab                                 # JupyterLab on this store")
    return 0


if __name__ == "__main__":
    sys.exit(main())
