"""One store recorded by a real kernel for all widget tests; each test reads it through a
tracker of its own (the widgets only read)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlops import tracking
from jupyter_mlops.store import Store, queries
from tests.conftest import fill_showcase


@pytest.fixture(scope="session")
def showcase_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("showcase") / "store"
    fill_showcase(root)
    return root


def reading(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The store at ``root``, read by this test through a tracker of its own."""
    monkeypatch.setenv("JUPYTER_MLOPS_HOME", str(root))
    store = Store.open(root)
    t = tracking.Tracker(store)
    monkeypatch.setattr(tracking, "_tracker", t)
    yield store
    t.writer.close()


@pytest.fixture
def showcase(showcase_root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    yield from reading(showcase_root, monkeypatch)


@pytest.fixture
def run_ids(showcase: Store) -> list[str]:
    """The two runs, oldest first."""
    return queries.runs(showcase, experiment="churn")["run_id"].tolist()[::-1]
