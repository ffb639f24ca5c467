"""Spool consumers: a sealed file is archived only once every registered consumer passed it."""

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.exceptions import StoreError
from jupyter_mlops.store import consumers
from jupyter_mlops.store.ingest import ingest, pending
from jupyter_mlops.store.spool import SpoolWriter, spool_files


def _sealed_file(store):
    w = SpoolWriter(store)
    w.write([ev.Event(ev.METRICS, {"run_id": "e" * 32, "metrics": {"m": 1.0}})])
    path = w.path
    w.close()
    return path


def test_a_file_waits_for_every_consumer(store):
    consumers.register(store, "shipper")
    path = _sealed_file(store)
    assert ingest(store).events == 1
    assert path.exists() and ingest(store).archived == 0
    assert not pending(store)  # nothing for ingest until the shipper moves
    consumers.advance(store, "shipper", {path.name: path.stat().st_size - 1})
    assert not pending(store)
    consumers.advance(store, "shipper", {path.name: path.stat().st_size})
    assert pending(store)
    assert ingest(store).archived == 1 and not path.exists()
    assert (store.archive_dir / path.name).exists()


def test_offsets_are_per_consumer_and_never_go_back(store):
    consumers.register(store, "a")
    consumers.register(store, "b")
    path = _sealed_file(store)
    consumers.advance(store, "a", {path.name: 10})
    consumers.advance(store, "a", {path.name: 5})
    assert consumers.offsets(store, "a") == {path.name: 10}
    assert consumers.offsets(store, "b") == {}
    assert consumers.registered(store) == ["a", "b"]


def test_unregistering_lets_files_go(store):
    consumers.register(store, "shipper")
    path = _sealed_file(store)
    ingest(store)
    assert spool_files(store) == [path]
    consumers.unregister(store, "shipper")
    assert pending(store) and ingest(store).archived == 1


def test_bad_names_and_unknown_consumers_say_so(store):
    with pytest.raises(StoreError, match="cannot name a spool consumer"):
        consumers.register(store, "../x")
    with pytest.raises(StoreError, match="ingest's own"):
        consumers.register(store, "ingest")
    with pytest.raises(StoreError, match="not a registered spool consumer"):
        consumers.offsets(store, "nobody")
