"""Cell outputs kept as artifacts, through a real ipykernel (matplotlib's inline backend)."""

from jupyter_mlops.store import queries

PLOT = "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()"


def _run_id(k):
    status = k.run("%mlops status")["stdout"]
    return next(line.split()[1] for line in status.splitlines() if line.startswith("run:"))


def test_displayed_outputs_become_artifacts_of_their_cell_only_when_asked(store,
                                                                          kernel_factory):
    k = kernel_factory()
    k.run("%load_ext jupyter_mlops")
    assert k.run(PLOT, cell_id="off")["status"] == "ok"  # off by default: nothing kept
    k.run("%config MLOps.capture_outputs = True")
    assert k.run(PLOT, cell_id="plot")["status"] == "ok"
    assert k.run("from IPython.display import HTML, display\n"
                 "display(HTML('<b>big</b>' * 300_000))\n"
                 "HTML('<i>small</i>')", cell_id="html")["status"] == "ok"
    assert k.run("x = 1", cell_id="quiet")["status"] == "ok"
    run_id = _run_id(k)
    cells = queries.cells(store, run_id).set_index("cell_id")
    found = queries.artifacts(store, run_id)
    assert set(found["kind"]) == {"output"}
    by_seq = {int(s): group for s, group in found.groupby("seq")}
    assert set(by_seq) == {cells.loc["plot", "seq"], cells.loc["html", "seq"]}
    plot = by_seq[cells.loc["plot", "seq"]].iloc[0]
    assert plot["media_type"] == "image/png" and plot["size"] > 1000
    assert plot["name"] == f"cell{plot['seq']}-output1.png"
    # the 2.1 MB HTML is over the 1 MiB cap; the cell's value (display hook) is kept
    html = by_seq[cells.loc["html", "seq"]]
    assert html["media_type"].tolist() == ["text/html"] and html["size"].tolist() == [12]
    from jupyter_mlops import blobs

    assert blobs.get(store, html["sha256"].iloc[0]) == b"<i>small</i>"
    assert blobs.get(store, plot["sha256"])[:8] == b"\x89PNG\r\n\x1a\n"
