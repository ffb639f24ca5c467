"""Bundles: a model packed on one store (recorded by a real kernel) and merged into an empty
one loads and has its lineage there; merging twice changes nothing; hostile bundles are
refused whole, with one clear line, and nothing is merged."""

import hashlib
import json
import stat
import zipfile

import duckdb
import pytest

from jupyter_mlops import bundles
from jupyter_mlops.exceptions import BadBundle
from jupyter_mlops.store import Store
from jupyter_mlops.store.ingest import ingest
from tests.conftest import cli, run_python

CHECK = """
import json
import jupyter_mlops as mlops
print(mlops.load_model("lin@champion").predict([[1.0]]).round(3).tolist())
print(json.dumps(sorted(set(mlops.lineage.ancestors("lin:1").kind))))
"""


def _counts(store):
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("event_log", "runs", "cells", "datasets", "model_versions",
                          "aliases", "lineage_edges")}


@pytest.fixture
def bundle(store, kernel_factory, tmp_path):
    """``lin:1`` (promoted to champion), fitted on a DataFrame in a real kernel, packed."""
    kernel_factory().record([
        ("data", "import pandas as pd\ndf = pd.DataFrame({'x': [0.0, 1.0, 2.0]})"),
        ("model", "from sklearn.linear_model import LinearRegression\n"
                  "m = LinearRegression().fit(df, df.x * 2)\n"
                  "import jupyter_mlops as mlops\nmlops.register(m, 'lin')\n"
                  "mlops.promote('lin', 1)")])
    done = cli("pack", "lin@champion", "--to", str(tmp_path / "lin.mlops"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("packed lin@champion: ") and "1 run(s)" in done.stdout
    return tmp_path / "lin.mlops"


def test_a_packed_model_loads_and_has_its_lineage_in_another_store(bundle, tmp_path):
    other = Store.open(tmp_path / "other")
    env = {"JUPYTER_MLOPS_HOME": str(other.root)}
    done = cli("merge", str(bundle), env=env)
    assert done.returncode == 0, done.stderr
    assert "artifact(s) verified" in done.stdout
    checked = run_python(CHECK, env=env)
    assert checked.returncode == 0, checked.stderr
    prediction, kinds = checked.stdout.splitlines()
    assert prediction == "[2.0]"
    assert {"cell", "dataset", "run"} <= set(json.loads(kinds))
    before = _counts(other)
    assert before["aliases"] == 1 and before["cells"] >= 2
    again = bundles.merge(bundle, store=other)
    assert again.new == 0 and again.events > 0
    assert _counts(other) == before
    run_id = json.loads(cli("runs", "--json", env=env).stdout)[0]["run_id"]
    by_run = bundles.pack(run_id[:8], tmp_path / "run.mlops", store=other)  # a run: its version too
    assert (by_run.runs, by_run.model_versions, by_run.events) == (1, 1, again.events)


def _zip(path, members, manifest=None):
    """A bundle written by hand: ``members`` (name -> bytes), a manifest made to match."""
    events = members.get("events.jsonl", b"")
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            if name.startswith("link:"):
                info = zipfile.ZipInfo(name[5:])
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, data)
            else:
                zf.writestr(name, data)

        zf.writestr("manifest.json", json.dumps(manifest or {
            "format": bundles.FORMAT, "version": 1,
            "events": {"count": events.count(b"\n"),
                       "sha256": hashlib.sha256(events).hexdigest()},
            "blobs": {n[6:]: len(d) for n, d in members.items() if n.startswith("blobs/")}}))
    return path


SHA = "0" * 64


@pytest.mark.parametrize(("members", "message"), [
    ({"events.jsonl": b"", "../evil": b"x"}, "'../evil' points outside the bundle"),
    ({"events.jsonl": b"", "/etc/evil": b"x"}, "'/etc/evil' points outside the bundle"),
    ({"events.jsonl": b"", "link:blobs/" + SHA: b"/etc/passwd"}, "is a symbolic link"),
    ({"events.jsonl": b"", "blobs/" + SHA: b"not those bytes"}, "does not match its digest"),
    ({"events.jsonl": b"", "notes.txt": b"x"}, "is not part of a bundle"),
    ({"events.jsonl": b"x" * 5000}, "'events.jsonl' is 5,000 bytes, over the limit of 4,096"),
    ({"events.jsonl": b'{"id": "x"}\n'}, "line 1 is not an event"),
])
def test_hostile_bundles_are_refused_whole(store, tmp_path, members, message):
    ingest(store)
    before = _counts(store)
    path = _zip(tmp_path / "bad.mlops", members)
    with pytest.raises(BadBundle, match=message.replace("(", r"\(")) as refused:
        bundles.merge(path, store=store, max_member=4096)
    assert "refusing the bundle (nothing merged)" in str(refused.value)
    assert _counts(store) == before
    assert not (store.root / "artifacts").exists()
    assert not list(store.root.glob(".merge-*"))


def test_a_bundle_is_checked_against_its_manifest(store, tmp_path):
    path = _zip(tmp_path / "b.mlops", {"events.jsonl": b""},
                manifest={"format": bundles.FORMAT, "version": 99, "blobs": {},
                          "events": {"count": 0, "sha256": ""}})
    with pytest.raises(BadBundle, match="version 99, newer than this jupyter-mlops"):
        bundles.merge(path, store=store)
    (tmp_path / "junk.mlops").write_bytes(b"not a zip")
    done = cli("merge", str(tmp_path / "junk.mlops"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"jupyter-mlops: error: {tmp_path / 'junk.mlops'} is not a bundle (File is not a zip "
        f"file); make one with `jupyter mlops pack`"]
