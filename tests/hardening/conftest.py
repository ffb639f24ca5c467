"""Fixtures of the hardening tests."""

from __future__ import annotations

import pytest

from jupyter_mlops.store import Store
from tests.conftest import SmallDisk


@pytest.fixture
def full_store(small_disk: SmallDisk) -> Store:
    """An empty store on the small disk (that the test fills when it wants)."""
    s = Store.open(small_disk.mount / "store")
    s.ensure()
    return s
