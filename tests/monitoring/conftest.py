"""The monitoring tests' tracker: the module-level one, pointed at the test's store."""

import pytest

from jupyter_mlops import tracking


@pytest.fixture
def tracker(store, monkeypatch):
    t = tracking.Tracker(store)
    monkeypatch.setattr(tracking, "_tracker", t)
    yield t
    t.writer.close()
