"""The recent-runs projection answers exactly as DuckDB does, or not at all."""

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.store import queries, recent
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.spool import SpoolWriter


@pytest.fixture
def filled(store, monkeypatch):
    monkeypatch.setattr(recent, "SIZE", 8)  # fewer than the runs, to exercise the fallback
    w = SpoolWriter(store)
    for i in range(20):
        run_id = ev.new_id()
        w.append(ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": f"e{i % 3}",
                                           "kind": "job" if i % 4 else "interactive"}))
        w.append(ev.Event(ev.PARAMS, {"run_id": run_id, "params": {"i": i, "tag": [i]}}))
        w.append(ev.Event(ev.METRICS, {"run_id": run_id, "metrics": {"m": i / 10}}))
        if i % 2:
            w.append(ev.Event(ev.RUN_ENDED, {"run_id": run_id, "status": "finished"}))
    ingest(store)
    return store


@pytest.mark.parametrize("query", [
    {}, {"limit": 5}, {"experiment": "e1"}, {"experiment": "e2", "limit": 2},
    {"status": "finished", "limit": 3}, {"kind": "interactive"}, {"experiment": "none"},
])
def test_projection_answers_as_the_database(filled, query):
    cached = queries.runs(filled, **query)
    filled.recent_runs_path.unlink()  # force the database path
    direct = queries.runs(filled, **query)
    assert cached.equals(direct), (cached, direct)


def test_projection_is_used_only_when_it_can_answer_exactly(filled):
    full_page = recent.read(filled, experiment=None, status=None, kind=None, limit=5)
    assert full_page is not None and len(full_page[1]) == 5
    # e2's runs beyond the latest 8 are not in the file: it must defer to the database
    assert recent.read(filled, experiment="e2", status=None, kind=None, limit=50) is None


def test_a_stale_projection_is_never_used(filled):
    before = queries.runs(filled, limit=3)
    SpoolWriter(filled).append(ev.Event(ev.RUN_STARTED, {
        "run_id": ev.new_id(), "experiment": "late", "kind": "interactive"}))
    assert recent.read(filled, experiment=None, status=None, kind=None, limit=3) is not None
    after = queries.runs(filled, limit=3)  # ingests first; the new generation rewrites it
    assert after.loc[0, "experiment"] == "late" and not after.equals(before)


def test_a_run_whose_id_sorts_first_keeps_its_params(filled):
    """The page's run-id bound only lets DuckDB skip row groups: a run id that does not sort
    by time (another machine's clock, a foreign writer) loses nothing."""
    odd = "0" * 32
    w = SpoolWriter(filled)
    w.append(ev.Event(ev.RUN_STARTED, {"run_id": odd, "experiment": "late", "kind": "job"}))
    w.append(ev.Event(ev.PARAMS, {"run_id": odd, "params": {"i": 99}}))
    w.append(ev.Event(ev.METRICS, {"run_id": odd, "metrics": {"m": 9.9}}))
    for cached in (True, False):
        if not cached:
            filled.recent_runs_path.unlink()  # the database path
        page = queries.runs(filled, limit=3)
        assert page.loc[0, "run_id"] == odd
        assert page.loc[0, "params.i"] == 99 and page.loc[0, "metrics.m"] == 9.9
