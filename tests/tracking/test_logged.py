"""mlops.log_artifact & co in a real ipykernel: what is kept, and bad input as one warning."""

import io
import os

import pandas as pd

from jupyter_mlops import blobs
from jupyter_mlops.store import queries

FILES = """
import os, pathlib
pathlib.Path('model.txt').write_text('weights')
os.makedirs('report/sub', exist_ok=True)
pathlib.Path('report/a.csv').write_text('a\\n1\\n')
pathlib.Path('report/sub/b.txt').write_text('b')
pathlib.Path('report/same.txt').write_text('weights')
"""
LOGGING = """
import matplotlib
matplotlib.use('agg')
import matplotlib.pyplot as plt, pandas as pd, plotly.graph_objects as go
mlops.log_artifact('model.txt')
mlops.log_artifact('report', name='reports/first')
fig, ax = plt.subplots(); ax.plot([1, 2, 3])
mlops.log_figure(fig, 'curve.png')
mlops.log_figure(go.Figure(go.Scatter(y=[1, 2])), 'interactive')
mlops.log_table(pd.DataFrame({'a': [1, 2], 'b': ['x', 'y']}), 'scores')
mlops.log_text('# notes', 'notes.md')
mlops.log_dict({'lr': 0.1, 'layers': [2, 3]}, 'config')
"""
BAD = [
    ("mlops.log_artifact('missing.txt')", "no such file or folder: missing.txt"),
    ("mlops.log_artifact('escape')", "is a symbolic link to /etc"),
    ("mlops.log_artifact('locked.txt')", "cannot read locked.txt: permission denied"),
    ("mlops.log_artifact('pipe')", "pipe is not a regular file or folder"),
    ("mlops.log_artifact('model.txt', name='../x')", "artifact name '../x' is not a relative"),
    ("mlops.log_artifact('model.txt', name='/etc/x')", "artifact name '/etc/x' is not a"),
    ("mlops.log_figure(42, 'f')", "log_figure needs a matplotlib Figure"),
    ("mlops.log_table([1, 2], 't')", "log_table needs a pandas DataFrame"),
    ("mlops.log_dict({'a': object()}, 'd')", "log_dict needs JSON values"),
    ("mlops.log_text(b'x', 'n')", "log_text needs a str"),
]


def test_logged_files_figures_tables_and_their_bytes(store, kernel_factory, tmp_path):
    k = kernel_factory()
    k.run("%load_ext jupyter_mlops")
    assert k.run(FILES)["status"] == "ok"
    reply = k.run(LOGGING, cell_id="log")
    assert reply["status"] == "ok" and reply["stdout"] == "", reply
    assert k.run("%mlops log_artifact model.txt weights.txt")["status"] == "ok"
    assert k.run("%mlops ingest")["status"] == "ok"  # with the figures rendered meanwhile
    status = k.run("%mlops status")["stdout"]
    run_id = next(line.split()[1] for line in status.splitlines() if line.startswith("run:"))
    found = queries.artifacts(store, run_id).set_index("name")
    assert sorted(found.index) == [
        "config.json", "curve.png", "curve.svg", "interactive.json", "model.txt", "notes.md",
        "reports/first", "scores.parquet", "weights.txt"]
    seq = queries.cells(store, run_id).set_index("cell_id").loc["log", "seq"]
    assert (found.drop("weights.txt")["seq"] == seq).all()
    assert found.loc["curve.png", "media_type"] == "image/png"
    assert found.loc["curve.svg", "media_type"] == "image/svg+xml"
    assert found.loc["interactive.json", "media_type"] == "application/vnd.plotly.v1+json"
    assert found.loc["model.txt", "sha256"] == found.loc["weights.txt", "sha256"]  # stored once
    assert blobs.get(store, found.loc["model.txt", "sha256"]) == b"weights"
    assert blobs.get(store, found.loc["curve.png", "sha256"])[:4] == b"\x89PNG"
    table = tmp_path / "t.parquet"
    table.write_bytes(blobs.get(store, found.loc["scores.parquet", "sha256"]))
    from jupyter_mlops.store.tables import read_table

    assert read_table(str(table)).to_dict("list") == {"a": [1, 2], "b": ["x", "y"]}
    folder = queries.artifact(store, run_id, "reports/first")
    assert folder["kind"] == "dir" and folder["size"] == 4 + 1 + 7
    assert [(f["path"], f["size"]) for f in folder["files"]] == [
        ("a.csv", 4), ("same.txt", 7), ("sub/b.txt", 1)]
    assert folder["files"][1]["sha256"] == found.loc["model.txt", "sha256"]
    assert pd.read_json(io.BytesIO(blobs.get(store, found.loc["config.json", "sha256"])),
                        typ="series").to_dict() == {"lr": 0.1, "layers": [2, 3]}


def test_bad_input_is_one_warning_never_a_traceback(store, kernel_factory, tmp_path):
    os.symlink("/etc", tmp_path / "escape")
    (tmp_path / "locked.txt").write_text("secret")
    (tmp_path / "locked.txt").chmod(0)
    (tmp_path / "model.txt").write_text("w")
    os.mkfifo(tmp_path / "pipe")  # opening it would wait for a writer forever
    k = kernel_factory()
    k.run("%load_ext jupyter_mlops")
    for source, message in BAD:
        reply = k.run(source)
        assert reply["status"] == "ok", (source, reply)
        if os.geteuid() == 0 and "locked" in source:  # root reads anything
            continue
        assert message in reply["stdout"] and "Traceback" not in reply["stdout"], (
            source, reply["stdout"])
        assert reply["stdout"].count("\n") == 1, reply["stdout"]
    magic = k.run("%mlops log_artifact escape")
    assert magic["status"] == "error" and magic["ename"] == "UsageError"
    assert "is a symbolic link to /etc" in magic["evalue"]
    status = k.run("%mlops status")["stdout"]
    run_id = next(line.split()[1] for line in status.splitlines() if line.startswith("run:"))
    kept = queries.artifacts(store, run_id)["name"].tolist()
    assert kept == ([] if os.geteuid() else ["locked.txt"])


BACKGROUND = """
import matplotlib
matplotlib.use('agg')
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter
from jupyter_mlops import tracking
run = tracking.tracker().run_id or tracking.tracker().ensure_run()
fig, ax = plt.subplots(); line, = ax.plot([1, 2, 3])
numbers = plt.get_fignums()
mlops.log_figure(fig, 'first')
line.set_ydata([3, 2, 1]); plt.close(fig)  # at once: the copy was taken
odd, bx = plt.subplots(); bx.plot([1, 2])
bx.xaxis.set_major_formatter(FuncFormatter(lambda x, _: 'x'))
mlops.log_figure(odd, 'unpicklable')  # a lambda cannot be pickled: rendered in the cell
print(sorted(mlops.artifacts(run)['name']), plt.get_fignums() == numbers[:0] + [odd.number],
      matplotlib.rcParams['svg.hashsalt'])
"""


def test_figures_render_in_the_background_from_a_copy_and_reads_wait_for_them(
        store, kernel_factory):
    k = kernel_factory()
    k.run("%load_ext jupyter_mlops")
    reply = k.run(BACKGROUND)
    assert reply["status"] == "ok", reply
    assert reply["stdout"].strip() == (
        "['first.png', 'first.svg', 'unpicklable.png', 'unpicklable.svg'] True None"), reply
    run_id = k.run("print(run)")["stdout"].strip()
    found = queries.artifacts(store, run_id).set_index("name")
    again = k.run("fig, ax = plt.subplots(); ax.plot([1, 2, 3]); mlops.log_figure(fig, 'again')"
                  "\nprint(sorted(mlops.artifacts(run)['name'])[:2])")
    assert again["stdout"].strip() == "['again.png', 'again.svg']", again
    kept = queries.artifacts(store, run_id).set_index("name")
    # the first figure was kept as it was when logged, not as changed after
    assert kept.loc["again.png", "sha256"] == found.loc["first.png", "sha256"]
    assert kept.loc["again.svg", "sha256"] == found.loc["first.svg", "sha256"]
