"""Ingest subscribers: called after the commit with the events applied, never breaking it."""

import logging

import duckdb

from jupyter_mlops import events as ev
from jupyter_mlops.store import queries
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.spool import SpoolWriter
from jupyter_mlops.store.subscribers import Subscribers, subscribe

RUN = "d" * 32


def _write(store, n=3):
    events = [ev.Event(ev.RUN_STARTED, {"run_id": RUN, "experiment": "e", "kind": "k"})]
    events += [ev.Event(ev.METRICS, {"run_id": RUN, "metrics": {"loss": i}, "step": i})
               for i in range(n)]
    SpoolWriter(store).write(events)
    return events


def test_subscribers_get_the_applied_events_after_commit(store):
    seen = []
    registry = Subscribers()
    registry.add(lambda s, events: seen.append(
        (list(events), len(queries.metric_history(s, RUN, "loss")))))  # the lock is free
    written = _write(store)
    result = ingest(store, subscribers=registry)
    assert [e.id for e in result.applied] == [e.id for e in written]
    (events, rows), = seen
    assert [(e.id, e.type, e.payload) for e in events] == [
        (e.id, e.type, e.payload) for e in written]
    assert abs(events[0].ts - written[0].ts) < 1e-5
    assert rows == 3  # committed before the subscriber ran
    assert ingest(store, subscribers=registry).applied == [] and len(seen) == 1


def test_a_failing_subscriber_is_logged_and_undoes_nothing(store, caplog):
    calls = []
    registry = Subscribers()
    registry.add(lambda s, events: 1 / 0)
    registry.add(lambda s, events: calls.append(len(events)))
    _write(store, n=2)
    with caplog.at_level(logging.ERROR, logger="jupyter_mlops"):
        result = ingest(store, subscribers=registry)
    assert result.events == 3 and calls == [3]
    assert "ingest subscriber" in caplog.text and "ZeroDivisionError" in caplog.text
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM metrics").fetchone()[0] == 2


def test_process_subscribers_and_unsubscribe(store):
    seen = []
    unsubscribe = subscribe(lambda s, events: seen.append(len(events)))
    try:
        _write(store, n=1)
        ingest(store)
    finally:
        unsubscribe()
    _write(store, n=1)
    assert ingest(store).applied is None  # nobody listens, nothing collected
    assert seen == [2]


def test_collect_without_subscribers(store):
    _write(store, n=4)
    assert len(ingest(store, subscribers=Subscribers(), collect=True).applied) == 5
