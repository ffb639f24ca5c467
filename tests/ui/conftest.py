"""Browser tests: a real JupyterLab on a prepared store, driven by headless Chromium.

Shared by every UI test (widgets here, the sidebar later): ``lab`` is one server per
session on a store recorded by a real kernel (:func:`tests.conftest.fill_showcase`), and
``page`` a fresh tab that collects console errors. Screenshots go to ``SCREENSHOTS``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlops.store import Store
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.spool import SpoolWriter
from tests.conftest import ROOT, fill_showcase

CHROMIUM = Path(os.environ.get("JUPYTER_MLOPS_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "tests" / "ui" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip only when the browser is truly absent (CI installs it, so there they run)."""
    if CHROMIUM.exists():
        return
    reason = f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (or set " \
             f"JUPYTER_MLOPS_CHROMIUM)"
    for item in items:
        if "tests/ui/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class Lab:
    url: str
    token: str
    notebooks: Path
    store: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def open(self, path: str) -> str:
        """The address of ``path`` (under the notebook dir) in JupyterLab, with the token; the
        workspace is reset, so what an earlier test left open does not come back."""
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"

    def write_notebook(self, name: str, cells: list[str]) -> str:
        """A notebook of code ``cells`` in the server's notebook dir; returns its name."""
        import nbformat

        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, self.notebooks / name)
        return name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving_events(base: Path, *writes: list[Any]) -> Iterator[Lab]:
    """JupyterLab on a store of its own under ``base``, holding these events (each list one
    spool write, as a kernel's batch), ingested."""
    store = Store.open(base / "store")
    store.ensure()
    w = SpoolWriter(store)
    for events in writes:
        w.write(events)
    w.close()
    ingest(store)
    with serving(store.root, base) as served:
        yield served


@contextlib.contextmanager
def lab_page(*fills: Callable[[Store], object], viewport: tuple[int, int]
             ) -> Iterator[tuple[Lab, Any]]:
    """For a browser benchmark: JupyterLab on a temporary store made by ``fills`` (then
    ingested), and a page of headless Chromium of ``viewport`` size (not yet on the lab)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "store")
        store.ensure()
        for fill in fills:
            fill(store)
        ingest(store)
        with serving(store.root, Path(tmp)) as lab, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
            width, height = viewport
            yield lab, browser.new_page(viewport={"width": width, "height": height})
            browser.close()


@contextlib.contextmanager
def serving(store: Path, base: Path) -> Iterator[Lab]:
    """JupyterLab serving a fresh notebook dir under ``base``, on ``store``."""
    notebooks = base / "notebooks"
    notebooks.mkdir(exist_ok=True)
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_MLOPS_HOME": str(store), "JUPYTER_CONFIG_DIR": str(base / "cfg"),
           "JUPYTER_RUNTIME_DIR": str(base / "runtime")}
    log = (base / "lab.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}",
         "--LabApp.expose_app_in_browser=True"],  # window.jupyterapp: commands with args
        env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                json.load(r)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"JupyterLab did not start: {(base / 'lab.log').read_text()}"
                                   ) from None
            time.sleep(0.5)
    try:
        yield Lab(url, token, notebooks, store, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab serving a fresh notebook dir on a store holding :data:`SHOWCASE`."""
    base = tmp_path_factory.mktemp("lab")
    fill_showcase(base / "store")
    with serving(base / "store", base) as served:
        yield served


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@dataclass
class Tab:
    page: Any
    errors: list[str]

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def tab_on(lab: str) -> Any:
    """A fixture like ``tab``, on the module's own lab (the fixture named ``lab``)."""

    @pytest.fixture
    def fixture(browser: Any, request: pytest.FixtureRequest) -> Iterator[Tab]:
        request.getfixturevalue(lab)
        with new_tab(browser, request.node.name) as opened:
            yield opened

    return fixture


@contextlib.contextmanager
def new_tab(browser: Any, name: str) -> Iterator[Tab]:
    """A fresh page in JupyterLab's default layout (1400×900); console errors and uncaught
    exceptions are collected in ``errors``; what it showed at the end is kept as a screenshot."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    opened = Tab(page, errors)
    try:
        yield opened
        opened.screenshot(f"last-{name}")
    finally:
        context.close()


@pytest.fixture
def tab(browser: Any, lab: Lab, request: pytest.FixtureRequest) -> Iterator[Tab]:
    """A fresh page, with the shared Lab server (``lab``) up."""
    with new_tab(browser, request.node.name) as opened:
        yield opened


def open_lab(tab: Tab, lab: Lab, path: str) -> None:
    """Open ``path`` and wait until JupyterLab is up (splash gone, shell shown)."""
    tab.page.goto(lab.open(path))
    tab.page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    tab.page.wait_for_selector(".jp-LabShell", timeout=30_000)

#: A job's notebook: one parameter, one metric.
JOB = ["alpha = 1  # parameters",
       "import jupyter_mlops as mlops\nmlops.log_metric('score', alpha * 2)"]


@pytest.fixture(scope="session")
def jobs(lab: Lab) -> str:
    """A job run and a schedule of it, recorded into the lab's store (its server ingests);
    once for every module that asks (the store is the session's)."""
    import nbformat

    from tests.conftest import run_python

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in JOB])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = lab.notebooks / "score.ipynb"
    nbformat.write(nb, path)
    code = (f"import jupyter_mlops as mlops\nfrom jupyter_mlops.jobs import schedules\n"
            f"r = mlops.jobs.run({str(path)!r}, {{'alpha': 3}}, experiment='scoring')\n"
            f"assert r.ok, r\nschedules.add({str(path)!r}, '0 6 * * *', name='nightly')")
    done = run_python(code, env={"JUPYTER_MLOPS_HOME": str(lab.store)})
    assert done.returncode == 0, done.stderr
    return "nightly"
