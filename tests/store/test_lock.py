import os

import pytest

from jupyter_mlops.store import db
from jupyter_mlops.store.lock import hold, holders
from tests.conftest import run_python


def test_exclusive_lock_blocks_other_processes_and_names_the_holder(store):
    code = ("from jupyter_mlops.store import Store, db\n"
            f"with db.connect(Store.open({str(store.root)!r}), write=False, timeout=0.5):\n"
            "    pass")
    with hold(store, exclusive=True):
        assert holders(store.lock_path) == [os.getpid()]
        done = run_python(code)
    assert "StoreError" in done.stderr
    assert f"was busy for 0 s (held by pid {os.getpid()})" in done.stderr


def test_shared_holders_coexist_and_hold_is_reentrant(store):
    from jupyter_mlops.store.ingest import ingest

    ingest(store)  # creates the database
    with hold(store, exclusive=False):
        done = run_python(
            "from jupyter_mlops.store import Store, db\n"
            f"with db.connect(Store.open({str(store.root)!r}), write=False, timeout=5) as c:\n"
            "    print(c.execute('select count(*) from runs').fetchone()[0])")
        assert done.stdout.strip() == "0", done.stderr
        with db.connect(store, write=False) as con:  # same thread: no self-deadlock
            assert con.execute("select 1").fetchone() == (1,)
        with pytest.raises(RuntimeError, match="cannot upgrade"), hold(store, exclusive=True):
            pass


def test_reading_a_store_without_a_database_reads_an_empty_one(store):
    with db.connect(store, write=False) as con:
        assert db.scalar(con, "SELECT count(*) FROM runs") == 0
    assert not store.db_path.exists()
