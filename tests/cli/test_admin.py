"""``jupyter mlops ingest / rebuild / doctor`` as a user runs them: real subprocesses on a real
store, read-only ones too."""

import os
import shutil
import subprocess

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.store.schema import VERSION
from jupyter_mlops.store.spool import SpoolWriter
from tests.cli.conftest import RUN
from tests.conftest import cli


def test_ingest_and_doctor(filled):
    out = cli("ingest").stdout
    assert out.startswith("ingested 5 events")
    doc = cli("doctor").stdout
    assert str(filled.root) in doc
    assert f"schema version: {VERSION} (this jupyter-mlops writes {VERSION})" in doc
    assert "lock: free" in doc
    assert "pending: 0 B" in doc


def test_rebuild_after_the_database_is_deleted(filled):
    cli("ingest")
    filled.db_path.unlink()
    assert "missing" in cli("doctor").stdout
    done = cli("rebuild")
    assert done.returncode == 0 and "from 5 events" in done.stdout
    assert "churn" in cli("runs").stdout


def test_corrupt_spool_line_is_reported_and_the_rest_kept(filled):
    bad = filled.spool_dir / "junk-1-1-00000.jsonl"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage\n")
    done = cli("ingest")
    assert done.returncode == 0
    assert "corrupt spool line" in done.stderr and "junk-1-1-00000.jsonl" in done.stderr
    assert "churn" in cli("runs").stdout


@pytest.fixture
def readonly(filled, tmp_path):
    """The filled store, made read-only for real (a read-only bind mount when root)."""
    cli("ingest")
    SpoolWriter(filled).append(ev.Event(ev.METRICS, {"run_id": RUN, "metrics": {"late": 1.0}}))
    if os.geteuid() != 0:
        for p in [filled.root, *filled.root.rglob("*")]:
            p.chmod(p.stat().st_mode & ~0o222)
        yield filled
        for p in [filled.root, *filled.root.rglob("*")]:
            p.chmod(p.stat().st_mode | 0o200)
        return
    mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(filled.root),
                              str(filled.root)], capture_output=True)
    if mounted.returncode != 0 or not shutil.which("umount"):
        pytest.skip(f"cannot make a read-only folder here: {mounted.stderr!r}")
    try:
        yield filled
    finally:
        subprocess.run(["umount", str(filled.root)], check=True)


def test_read_only_store(readonly, kernel_factory):
    assert "churn" in cli("runs").stdout  # reading works, pending spool waits
    done = cli("ingest")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"jupyter-mlops: error: the store at {readonly.root} is read-only, so it cannot be "
        f"updated. Make it writable or point JUPYTER_MLOPS_HOME at a writable copy."]
    k = kernel_factory()  # a kernel on a read-only store: cells run, one warning
    k.run("%load_ext jupyter_mlops")
    first = k.run("x = 40 + 2\nprint(x)")
    second = k.run("print(x)")
    assert first["status"] == second["status"] == "ok"
    assert second["stdout"] == "42\n"
