"""``jupyter mlops artifacts RUN`` and ``artifacts get RUN NAME -o PATH``."""

import json

import jupyter_mlops as mlops
from jupyter_mlops import tracking
from tests.conftest import cli


def test_list_and_get_files_and_folders(tracked, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.bin").write_bytes(b"\x00weights" * 1000)
    (tmp_path / "report" / "sub").mkdir(parents=True)
    (tmp_path / "report" / "a.txt").write_text("a")
    (tmp_path / "report" / "sub" / "b.txt").write_text("bb")
    mlops.log_artifact("model.bin", name="models/model.bin")
    mlops.log_artifact("report")
    mlops.log_text("hello", "notes")
    t = tracking.tracker()
    run_id = t.run_id
    t.writer.close()
    listed = json.loads(cli("artifacts", run_id[:8], "--json").stdout)
    assert [(a["name"], a["kind"], a["size"]) for a in listed] == [
        ("models/model.bin", "file", 8000), ("notes.txt", "text", 5), ("report", "dir", 3)]
    assert "models/model.bin" in cli("artifacts", run_id).stdout
    out = tmp_path / "out"
    out.mkdir()
    done = cli("artifacts", "get", run_id, "models/model.bin", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / "model.bin").read_bytes() == b"\x00weights" * 1000
    done = cli("artifacts", "get", run_id, "report", "-o", str(out / "r"))
    assert (out / "r" / "sub" / "b.txt").read_text() == "bb"
    assert cli("artifacts", "get", run_id, "notes.txt", "-o", "-").stdout == "hello"
    missing = cli("artifacts", "get", run_id, "nope")
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        f"jupyter-mlops: error: run {run_id[:12]} has no artifact named 'nope'; "
        f"`jupyter mlops artifacts {run_id[:12]}` lists them.")
    assert "unknown run id 'zzzzzzzz'" in cli("artifacts", "zzzzzzzz").stderr
