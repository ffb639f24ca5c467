"""Shared fixtures: a fresh store per test; a real ipykernel driven as JupyterLab drives it."""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

from jupyter_mlops import tracking
from jupyter_mlops.store import Store

ROOT = Path(__file__).resolve().parent.parent


def ipython() -> Any:
    """The process's one test IPython shell (IPython allows a single shell instance)."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    return start_ipython() or get_ipython()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """An empty store that this process and its children (kernels, CLIs) all use."""
    root = tmp_path / "store"
    monkeypatch.setenv("JUPYTER_MLOPS_HOME", str(root))
    s = Store.open(root)
    s.ensure()
    return s


@pytest.fixture
def tracker(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[tracking.Tracker]:
    """This process's tracker (what ``mlops.*`` calls record with), on the test's store."""
    t = tracking.Tracker(store)
    monkeypatch.setattr(tracking, "_tracker", t)
    yield t
    t.end_run()
    t.writer.close()


@pytest.fixture
def tracked(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """This process records into the test's store (schedules, requests, triggers)."""
    from jupyter_mlops import tracking

    monkeypatch.setattr(tracking, "_tracker", tracking.Tracker(store))
    return store


class Kernel:
    """A real ipykernel; :meth:`run` sends cells the way JupyterLab does (with ``cellId``)."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.km, self.kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(cwd))

    def run(self, source: str, cell_id: str | None = None, timeout: float = 60) -> dict[str, Any]:
        """Execute one cell; returns the reply content plus the stream text it printed."""
        content = {"code": source, "silent": False, "store_history": True,
                   "user_expressions": {}, "allow_stdin": False, "stop_on_error": False}
        msg = self.kc.session.msg("execute_request", content)
        if cell_id is not None:
            msg["metadata"]["cellId"] = cell_id
        self.kc.shell_channel.send(msg)
        reply = self.kc.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            reply = self.kc.get_shell_msg(timeout=timeout)
        out = []
        while True:  # drain iopub until this request's kernel goes idle
            try:
                m = self.kc.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                break
            if m["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                continue
            if m["msg_type"] == "stream":
                out.append(m["content"]["text"])
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                break
        return {**reply["content"], "stdout": "".join(out)}

    def record(self, cells: list[tuple[str, str]], timeout: float = 60) -> None:
        """``%load_ext jupyter_mlops``, then each (cell id, source); every cell must succeed."""
        self.run("%load_ext jupyter_mlops")
        for cell_id, source in cells:
            reply = self.run(source, cell_id=cell_id, timeout=timeout)
            assert reply["status"] == "ok", (cell_id, source, reply)

    def shutdown(self) -> None:
        """Shut down cleanly (atexit runs in the kernel); harmless if already done."""
        self.kc.stop_channels()
        if self.km.has_kernel:
            self.km.shutdown_kernel(now=False)


@pytest.fixture
def kernel_factory(store: Store, tmp_path: Path) -> Iterator[Any]:
    """Start real kernels recording into ``store``; all are shut down cleanly afterwards."""
    kernels: list[Kernel] = []

    def start(**extra_env: str) -> Kernel:
        env = {**os.environ, "JUPYTER_MLOPS_HOME": str(store.root), **extra_env}
        k = Kernel(env, tmp_path)
        kernels.append(k)
        return k

    yield start
    for k in kernels:
        k.shutdown()


def run_python(code: str, env: dict[str, str] | None = None, **kwargs: Any
               ) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter of this environment."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300, **kwargs)


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``jupyter mlops ARGS`` as a user types it."""
    exe = Path(sys.executable).parent / "jupyter"
    return subprocess.run([str(exe), "mlops", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


# Two runs of one experiment, two registered versions (the first promoted), metric
# histories, and a saved drift report over 25 columns: what the widget tests display.
SHOWCASE = [
    "import numpy as np, pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
    "import jupyter_mlops as mlops",
    "%mlops experiment churn",
    "rng = np.random.default_rng(0)\n"
    "X = pd.DataFrame(rng.normal(size=(400, 24)), columns=[f'f{i:02d}' for i in range(24)])\n"
    "X['plan'] = rng.choice(['basic', 'pro', 'team'], 400)\ny = (X.f00 > 0).astype(int)",
    "C = 0.5\nmlops.log_param('C', C)\n"
    "for step in range(5):\n    mlops.log_metric('auc', 0.70 + 0.03 * step, step=step)",
    "model = LogisticRegression(C=C).fit(X.drop(columns='plan'), y)\n"
    "mlops.register(model, 'churn', metrics={'auc': 0.82})\nmlops.promote('churn', 1)",
    "%mlops run start -e churn",
    "C = 0.0625\nmlops.log_param('C', C)\n"
    "for step in range(5):\n    mlops.log_metric('auc', 0.72 + 0.04 * step, step=step)",
    "model2 = LogisticRegression(C=C).fit(X.drop(columns='plan'), y)\n"
    "mlops.register(model2, 'churn', metrics={'auc': 0.88})",
    "cur = X.copy()\ncur['f01'] = cur['f01'] + 1.5\ncur['f02'] = cur['f02'] * 3\n"
    "cur['plan'] = 'team'\nreport = mlops.drift(X, cur, model='churn@champion')",
]


def fill_showcase(root: Path) -> None:
    """Record :data:`SHOWCASE` into the store at ``root`` through a real kernel."""
    k = Kernel({**os.environ, "JUPYTER_MLOPS_HOME": str(root)}, root.parent)
    try:
        k.record([(f"cell-{n}", source) for n, source in enumerate(SHOWCASE)], timeout=120)
    finally:
        k.shutdown()


class SmallDisk:
    """A mounted tmpfs holding the test's store; :meth:`fill` takes every free byte."""

    def __init__(self, mount: Path) -> None:
        self.mount = mount
        self.filler = mount / "filler"

    def fill(self) -> None:
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for chunk in (b"\0" * (1 << 20), b"\0" * 4096):  # fast, then to the last page
                with contextlib.suppress(OSError):  # ENOSPC: full
                    while True:
                        os.write(fd, chunk)
        finally:
            os.close(fd)

    def free(self) -> None:
        self.filler.unlink()


@pytest.fixture
def small_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmallDisk]:
    """A 16 MB tmpfs at ``tmp_path/disk`` with ``JUPYTER_MLOPS_HOME`` on it at ``store``;
    mounting needs root (CI runs as root), so it skips otherwise."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill a disk needs root (CI runs as root)")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], check=True)
    try:
        monkeypatch.setenv("JUPYTER_MLOPS_HOME", str(mount / "store"))
        yield SmallDisk(mount)
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=True)
