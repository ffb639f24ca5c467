"""Apply: each domain's events become rows, in the vocabulary of schema 10."""

import duckdb

from jupyter_mlops import events as ev
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.spool import SpoolWriter

RUN = "f" * 32


def _rows(store, sql):
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_seq_and_the_older_cell_seq_both_apply_and_relations_are_reads_writes(store):
    SpoolWriter(store).write([
        ev.Event(ev.RUN_STARTED, {"run_id": RUN, "experiment": "e"}),
        ev.Event(ev.PARAMS, {"run_id": RUN, "params": {"a": 1}, "seq": 2}),
        ev.Event(ev.PARAMS, {"run_id": RUN, "params": {"b": "x"}, "cell_seq": 3}),
        ev.Event(ev.METRICS, {"run_id": RUN, "metrics": {"m": 0.5}, "cell_seq": 4}),
        ev.Event(ev.CELL, {"run_id": RUN, "seq": 1, "data": [
            {"fingerprint": "d1", "name": "df", "role": "read"},  # older capture
            {"fingerprint": "d2", "name": "out", "role": "writes"},
            {"fingerprint": "d3", "name": "y"}]}),
    ])
    assert ingest(store).events == 5
    assert _rows(store, "SELECT key, value, seq FROM params ORDER BY key") == [
        ("a", "1", 2), ("b", '"x"', 3)]
    assert _rows(store, "SELECT seq FROM metrics") == [(4,)]
    (cell,), = _rows(store, "SELECT event_id FROM cells")
    assert set(_rows(store, "SELECT src_id, relation, dst_id FROM lineage_edges")) == {
        ("d1", "reads", cell), (cell, "writes", "d2"), (cell, "writes", "d3")}


def test_malformed_fields_become_null_and_the_rest_applies(store):
    SpoolWriter(store).write([
        ev.Event(ev.RUN_STARTED, {"run_id": RUN, "pid": "not a number", "kind": ["x"]}),
        ev.Event(ev.METRICS, {"run_id": RUN, "metrics": "oops", "step": "x"}),
        ev.Event(ev.RUN_ENDED, {"run_id": RUN, "status": "failed"}),
    ])
    assert ingest(store).events == 3
    assert _rows(store, "SELECT id, pid, status FROM runs") == [(RUN, None, "failed")]
    assert _rows(store, "SELECT count(*) FROM metrics") == [(0,)]


def test_param_and_metric_values_of_every_json_kind(store):
    SpoolWriter(store).write([
        ev.Event(ev.PARAMS, {"run_id": RUN, "params": {
            "n": 1, "s": "x", "o": {"d": [1, 2]}, "z": None, "b": True, "q": 'k"q'}}),
        ev.Event(ev.PARAMS, {"run_id": RUN, "params": [1, 2]}),  # not an object: no rows
        ev.Event(ev.METRICS, {"run_id": RUN, "step": 3, "metrics": {
            "f": 0.5, "i": 2, "t": True, "s": "1.5", "bad": "x", "l": [1], "z": None}}),
        ev.Event(ev.METRICS, {"run_id": RUN, "metrics": 7}),
    ])
    assert ingest(store).events == 4
    assert dict(_rows(store, "SELECT key, value FROM params")) == {
        "n": "1", "s": '"x"', "o": '{"d":[1,2]}', "z": None, "b": "true", "q": '"k\\"q"'}
    assert dict(_rows(store, "SELECT key, value FROM metrics WHERE step = 3")) == {
        "f": 0.5, "i": 2.0, "t": 1.0, "s": 1.5, "bad": None, "l": None, "z": None}
    assert _rows(store, "SELECT count(*) FROM metrics") == [(7,)]
