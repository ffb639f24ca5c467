"""``mlops.diff`` on runs recorded by real kernels that differ in exactly one thing: a param,
an edited cell, one input row, one installed package (a real ``.dist-info`` on the kernel's
path, no faked event)."""

from __future__ import annotations

import json
import os

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.config import ENABLED_ENV
from jupyter_mlops.exceptions import NotFound
from tests.conftest import cli

BASE = {
    "imports": "import pandas as pd\nimport jupyter_mlops as mlops",
    "param": "lr = float(open('lr.txt').read())\nmlops.log_param('lr', lr)",
    "load": "df = pd.read_csv('data.csv')",
    "feat": "df['z'] = df.x * 2",
    "score": "score = float(df.z.mean() * lr)\nmlops.log_metric('score', score)",
    "side": "other = 1\nmlops.log_metric('other', other)",
}
ROWS = "x,y\n1,2\n3,4\n5,6\n"
# name -> (cells changed, files written before the kernel starts, extra kernel environment);
# the param comes from a file, as a job's parameter would: the code stays the same
BASE_FILES = {"data.csv": ROWS, "lr.txt": "0.1"}
VARIANTS = {
    "base": ({}, {}, {}),
    "param": ({}, {"lr.txt": "0.2"}, {}),
    "edit": ({"feat": "df['z'] = df.x * 3"}, {}, {}),
    "side": ({"side": "other = 2\nmlops.log_metric('other', other)"}, {}, {}),
    "row": ({}, {"data.csv": "x,y\n1,2\n3,4\n7,6\n"}, {}),
    "package": ({}, {}, {"PYTHONPATH": "probe"}),
}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """One run per variant, recorded by its own kernel in one store (name -> run id), and
    what ``%mlops diff`` showed in the last kernel."""
    from jupyter_mlops import tracking
    from jupyter_mlops.store import Store, queries
    from tests.conftest import Kernel

    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("store")
    mp.setenv("JUPYTER_MLOPS_HOME", str(root))
    store = Store.open(root)
    store.ensure()
    probe = root / "probe" / "diff_probe-1.0.dist-info"
    probe.mkdir(parents=True)
    (probe / "METADATA").write_text("Metadata-Version: 2.1\nName: diff-probe\nVersion: 1.0\n")
    found = {}
    for name, (changed, files, extra) in VARIANTS.items():
        for file, text in {**BASE_FILES, **files}.items():
            (root / file).write_text(text)
        env = {**os.environ, "JUPYTER_MLOPS_HOME": str(root), **extra}
        if "PYTHONPATH" in extra:
            env["PYTHONPATH"] = os.pathsep.join(
                [str(root / extra["PYTHONPATH"]), os.environ.get("PYTHONPATH", "")])
        k = Kernel(env, root)
        try:
            k.record([(cid, changed.get(cid, src)) for cid, src in BASE.items()])
            found[name] = k.run("print(mlops.tracker().run_id)")["stdout"].strip()
        finally:
            k.shutdown()
    # the magic, in a kernel that records nothing itself
    k = Kernel({**os.environ, "JUPYTER_MLOPS_HOME": str(root), ENABLED_ENV: "0"}, root)
    try:
        k.run("%load_ext jupyter_mlops")
        shown = k.run("print(get_ipython().run_line_magic('mlops', "
                      f"'diff {found['base']} {found['package']}'))")
        usage = k.run(f"%mlops diff {found['base']}")
    finally:
        k.shutdown()
    mp.setattr(tracking, "_tracker", tracking.Tracker(store))
    assert len(queries.runs(store)) == len(VARIANTS)
    yield found, shown, usage
    mp.undo()


@pytest.fixture(scope="module")
def runs(recorded):
    return recorded[0]


def test_the_magic(recorded):
    _, shown, usage = recorded
    assert shown["status"] == "ok" and "diff-probe: (none) → 1.0" in shown["stdout"]
    assert usage["status"] == "error" and "%mlops diff RUN_A RUN_B" in usage["evalue"]


def test_one_param(runs):
    d = mlops.diff(runs["base"], runs["param"])
    assert [(p["key"], p["a"], p["b"]) for p in d.params] == [("lr", 0.1, 0.2)]
    assert d.cells == [] and d.data is None and d.packages == [] and d.git == {}
    assert d.environment == {} and "lr: 0.1 → 0.2" in str(d)


def test_one_edited_cell(runs):
    d = mlops.diff(runs["base"], runs["edit"])
    assert d.params == []
    [cell] = d.cells
    assert (cell["change"], cell["cell_id"], cell["seq_a"], cell["seq_b"]) == (
        "edited", "feat", 4, 4)
    assert "-df['z'] = df.x * 2\n+df['z'] = df.x * 3\n" in cell["diff"]
    assert d.data is not None
    assert (d.data["name"], d.data["relation"], d.data["producer_a"]) == ("df", "writes", 4)
    assert not d.data["same_source"]


def test_one_input_row(runs):
    """Same code, one changed row: the first divergence is the data the load cell made."""
    d = mlops.diff(runs["base"], runs["row"], metric="score")
    assert d.params == [] and d.cells == []
    assert d.data is not None
    assert (d.data["name"], d.data["relation"], d.data["seq_a"]) == ("df", "writes", 3)
    assert d.data["same_source"] and d.data["shape_a"] == d.data["shape_b"] == [3, 2]
    assert d.data["fingerprint_a"] != d.data["fingerprint_b"]
    assert d.values is not None and d.values[0] != d.values[1]


def test_one_package(runs):
    d = mlops.diff(runs["base"], runs["package"])
    assert d.packages == [{"name": "diff-probe", "a": None, "b": "1.0"}]
    assert d.params == [] and d.cells == [] and d.data is None
    assert "diff-probe: (none) → 1.0" in str(d)


def test_metric_keeps_its_slice_only(runs):
    """An edit off the metric's slice is reported without a metric, not with it."""
    assert [c["cell_id"] for c in mlops.diff(runs["base"], runs["side"]).cells] == ["side"]
    on_slice = mlops.diff(runs["base"], runs["side"], metric="score")
    assert not on_slice and "no differences on the metric's slice" in str(on_slice)
    assert [c["cell_id"] for c in mlops.diff(runs["base"], runs["edit"],
                                             metric="score").cells] == ["feat"]
    assert mlops.diff(runs["base"], runs["param"], metric="other").params == []


def test_unknown_metric_names_what_exists(runs):
    with pytest.raises(NotFound, match="logged: other, score"):
        mlops.diff(runs["base"], runs["param"], metric="auc")


def test_same_run_is_no_difference(runs):
    d = mlops.diff(runs["base"], runs["base"][:20])
    assert not d and d.to_dict()["params"] == []
    assert "<pre" in d._repr_html_()


def test_cli_json_and_text(runs):
    done = cli("diff", runs["base"], runs["edit"], "--metric", "score", "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["run_a"] == runs["base"] and [c["cell_id"] for c in body["cells"]] == ["feat"]
    text = cli("diff", runs["base"][:20], runs["param"][:20])
    assert text.returncode == 0, text.stderr
    assert "lr: 0.1 → 0.2" in text.stdout
    bad = cli("diff", runs["base"], "nosuchrun")
    assert bad.returncode != 0 and "unknown run id" in bad.stderr


def _cells(*sources: str, ids: bool = False) -> list[dict]:
    return [{"seq": n, "cell_id": f"c{n}" if ids else None, "source": s,
             "source_hash": str(hash(s)), "status": "ok"} for n, s in enumerate(sources, 1)]


def test_align_without_cell_ids_pairs_an_edit_and_places_an_insert():
    """A kernel that sends no cell ids: same sources pair; an edited cell pairs with its
    alike counterpart between the same neighbours; a new cell is added where it ran."""
    from jupyter_mlops.alignment import align

    a = _cells("import pandas as pd", "df = pd.read_csv('a.csv')", "m = fit(df)", "print(m)")
    b = _cells("import pandas as pd", "df = pd.read_csv('b.csv')", "df = clean(df)",
               "m = fit(df)", "print(m)")
    pairs = [(x and x["seq"], y and y["seq"]) for x, y in align(a, b)]
    assert pairs == [(1, 1), (2, 2), (None, 3), (3, 4), (4, 5)]


def test_align_by_cell_id_first_then_repeated_executions_in_order():
    from jupyter_mlops.alignment import align

    a = _cells("x = 1", "y = x", ids=True)
    again = {"seq": 3, "cell_id": "c2", "source": "y = x", "source_hash": "h", "status": "error"}
    b = [*_cells("x = 2", "y = x", ids=True), again]
    pairs = [(x and x["seq"], y and y["seq"]) for x, y in align(a, b)]
    assert pairs == [(1, 1), (2, 2), (None, 3)]
