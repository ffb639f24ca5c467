"""Cell capture through a real ipykernel, driven the way JupyterLab drives it."""

import pandas as pd

from jupyter_mlops.capture.fingerprint import fingerprint
from jupyter_mlops.store import queries

DATA_CELL = ("import pandas as pd, numpy as np\n"
             "df = pd.DataFrame({'a': range(100), 'b': [x * 0.5 for x in range(100)]})")
NOTEBOOK = [
    ("load", "%load_ext jupyter_mlops"),
    ("c-data", DATA_CELL),
    ("c-read", "import time\ntime.sleep(0.05)\ntotal = df['a'].sum()"),
    ("c-mutate", "df['c'] = df['a'] * 2"),
    ("c-error", "1/0"),
    ("c-syntax", "x = ("),
    ("c-log", "mlops.log_param('alpha', 0.3)\nmlops.log_metric('auc', 0.91)\nalpha = 0.3"),
    ("c-magic", "%mlops log_param alpha"),
]


def _run_notebook(kernel_factory, cells=NOTEBOOK):
    k = kernel_factory()
    replies = [k.run(src, cell_id=cid) for cid, src in cells]
    status = k.run("%mlops status")["stdout"]
    k.shutdown()  # a clean shutdown ends the run
    run_id = next(line.split()[1] for line in status.splitlines() if line.startswith("run:"))
    return run_id, replies


def test_kernel_records_every_cell(store, kernel_factory):
    run_id, replies = _run_notebook(kernel_factory)
    assert [r["status"] for r in replies] == ["ok", "ok", "ok", "ok", "error", "error", "ok", "ok"]

    cells = queries.cells(store, run_id)
    # the %load_ext cell itself is not recorded: capture starts inside it
    # (the last cell is `%mlops status`, sent without a cell id)
    assert cells["cell_id"].tolist()[:-1] == [cid for cid, _ in NOTEBOOK[1:]]
    assert pd.isna(cells["cell_id"].iloc[-1])
    assert cells["execution_count"].tolist() == list(range(2, 10))
    assert (cells["duration_ms"] > 0).all()
    by_id = cells.set_index("cell_id", drop=False)
    assert by_id.loc["c-read", "duration_ms"] >= 50
    assert by_id.loc["c-error", "status"] == "error"
    assert by_id.loc["c-error", "error_type"] == "ZeroDivisionError"
    assert by_id.loc["c-syntax", "error_type"] == "SyntaxError"
    assert by_id.loc["c-data", "status"] == "ok"
    assert list(by_id.loc["c-data", "writes"]) == ["df", "np", "pd"]
    assert list(by_id.loc["c-read", "reads"]) == ["df"]
    assert list(by_id.loc["c-read", "writes"]) == ["time", "total"]
    assert list(by_id.loc["c-mutate", "writes"]) == ["df"]
    assert by_id.loc["c-data", "source"] == DATA_CELL

    info = queries.run(store, run_id)
    assert info["status"] == "finished"
    assert info["params"] == {"alpha": 0.3}
    assert info["metrics"] == {"auc": 0.91}
    assert info["environment"]["packages"]["ipykernel"]

    data = queries.cell_data(store, run_id)
    df = pd.DataFrame({"a": range(100), "b": [x * 0.5 for x in range(100)]})
    written = data[(data.seq == 1) & (data.name == "df")].iloc[0]
    assert written.fingerprint == fingerprint(df)  # same data, another process: same print
    assert list(written["shape"]) == [100, 2]
    mutated = data[(data.seq == 3) & (data.relation == "writes")].iloc[0]
    assert mutated.fingerprint == fingerprint(df.assign(c=df["a"] * 2))


def test_fingerprint_is_stable_across_two_kernels(store, kernel_factory):
    cells = [("load", "%load_ext jupyter_mlops"), ("d", DATA_CELL)]
    prints = []
    for _ in range(2):
        run_id, _ = _run_notebook(kernel_factory, cells)
        data = queries.cell_data(store, run_id)
        prints.append(data.loc[data.name == "df", "fingerprint"].item())
    assert prints[0] == prints[1]
    assert len(queries.runs(store)) == 2


def test_killed_kernel_leaves_no_run_stuck_open(store, kernel_factory):
    k = kernel_factory()
    k.run("%load_ext jupyter_mlops")
    k.run("x = 1", cell_id="a")
    k.km.provisioner.process.kill()  # SIGKILL: no atexit, no run_ended
    k.km.provisioner.process.wait()
    k.kc.stop_channels()
    frame = queries.runs(store)
    assert frame["status"].tolist() == ["died"]
    assert frame["cells"].tolist() == [1]
    assert frame["ended"].notna().all()


def test_tracking_can_be_disabled(store, kernel_factory):
    k = kernel_factory(JUPYTER_MLOPS_ENABLED="0")
    k.run("%load_ext jupyter_mlops")
    k.run("x = 1")
    assert k.run("%mlops status")["stdout"]
    assert queries.runs(store).empty
