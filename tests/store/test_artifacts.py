"""The artifact contract: an ``artifact`` event becomes one row in ``artifacts`` (schema 11),
and a folder's files rows in ``artifact_files``."""

import duckdb

from jupyter_mlops import events as ev
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.schema import VERSION
from jupyter_mlops.store.spool import SpoolWriter

RUN = "a" * 32


def _rows(store, sql):
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_artifact_events_become_rows_and_a_folder_its_files(store):
    assert VERSION >= 11
    SpoolWriter(store).write([
        ev.Event(ev.ARTIFACT, {"run_id": RUN, "seq": 3, "name": "roc", "kind": "figure",
                               "sha256": "1" * 64, "size": 10, "media_type": "image/png"}),
        ev.Event(ev.ARTIFACT, {"run_id": RUN, "seq": None, "name": "data", "kind": "dir",
                               "sha256": "2" * 64, "size": 7, "media_type": "inode/directory",
                               "files": [{"path": "a.txt", "sha256": "3" * 64, "size": 3},
                                         {"path": "sub/b.txt", "sha256": "4" * 64, "size": 4}]}),
        ev.Event(ev.ARTIFACT, {"run_id": RUN, "name": None, "sha256": "5" * 64}),  # no name
    ])
    assert ingest(store).events == 3
    assert _rows(store, "SELECT run_id, seq, name, kind, sha256, size, media_type "
                        "FROM artifacts ORDER BY name") == [
        (RUN, None, "data", "dir", "2" * 64, 7, "inode/directory"),
        (RUN, 3, "roc", "figure", "1" * 64, 10, "image/png")]
    assert _rows(store, "SELECT f.path, f.sha256, f.size FROM artifact_files f "
                        "JOIN artifacts a USING (event_id) ORDER BY path") == [
        ("a.txt", "3" * 64, 3), ("sub/b.txt", "4" * 64, 4)]
    SpoolWriter(store).write([ev.Event(ev.ARTIFACT, {"run_id": RUN, "name": "x",
                                                     "kind": "text", "sha256": "6" * 64})])
    ingest(store)
    assert _rows(store, "SELECT count(*) FROM artifacts") == [(3,)]
