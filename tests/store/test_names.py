"""Run names: derived the same way in Python and SQL, renamed by event, accepted as a
reference wherever a run id is."""

import duckdb
import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.exceptions import BadReference, NotFound
from jupyter_mlops.store import db, names, queries
from jupyter_mlops.store.ingest import ingest
from jupyter_mlops.store.read import resolve_run
from jupyter_mlops.store.schema import MIGRATIONS, VERSION, migrate
from jupyter_mlops.store.spool import SpoolWriter

OLD_RUNS = [(ev.new_id(), notebook) for notebook in (
    "/home/ana/churn/train.ipynb", "explore.v2.ipynb", None, "", None, "noext")]


def _start(writer, run_id, notebook=None, **extra):
    writer.append(ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "churn",
                                            "kind": "interactive", "notebook": notebook,
                                            **extra}))


def test_python_and_sql_derive_the_same_names():
    con = duckdb.connect()
    for run_id, notebook in OLD_RUNS:
        found = con.execute(f"SELECT {names.derive_sql('$id', '$nb::VARCHAR')}",
                            {"id": run_id, "nb": notebook}).fetchone()
        assert found == (names.derive(run_id, notebook),)
    assert names.derive(OLD_RUNS[0][0], "/a/train.ipynb").startswith("train-")
    assert names.derive(OLD_RUNS[2][0], None).count("-") == 1


def test_migration_12_names_old_runs_as_a_rebuild_does(tmp_path, store):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("CREATE TABLE schema_version (version INTEGER, applied TIMESTAMP)")
    for number, sql in enumerate(MIGRATIONS[:11], start=1):  # a store as version 11 left it
        con.execute(sql)
        con.execute("INSERT INTO schema_version VALUES (?, now())", [number])
    for run_id, notebook in OLD_RUNS:
        con.execute("INSERT INTO runs (id, notebook) VALUES (?, ?)", [run_id, notebook])
    assert migrate(con) == VERSION >= 12
    migrated = dict(con.execute("SELECT id, name FROM runs").fetchall())
    writer = SpoolWriter(store)  # the same runs' events, written before names existed
    for run_id, notebook in OLD_RUNS:
        _start(writer, run_id, notebook)
    writer.close()
    ingest(store)
    with db.connect(store, write=False) as rebuilt:
        assert dict(db.run(rebuilt, "SELECT id, name FROM runs")) == migrated
    assert migrated == {r: names.derive(r, nb) for r, nb in OLD_RUNS}


def test_a_started_name_is_kept_and_the_latest_rename_wins(store):
    writer = SpoolWriter(store)
    a, b = ev.new_id(), ev.new_id()
    _start(writer, a, "train.ipynb", name="train-0001")
    _start(writer, b, None, name="brisk-otter")
    writer.append(ev.Event(ev.RUN_RENAMED, {"run_id": b, "name": "first"}))
    ingest(store)
    writer.append(ev.Event(ev.RUN_RENAMED, {"run_id": b, "name": "baseline"}))
    writer.close()
    listed = queries.runs(store).set_index("run_id")["name"]
    assert listed.to_dict() == {a: "train-0001", b: "baseline"}
    assert queries.run(store, "baseline")["run_id"] == b


def test_a_name_is_a_reference_and_an_ambiguous_one_lists_the_runs(store):
    writer = SpoolWriter(store)
    ids = [ev.new_id() for _ in range(3)]
    for run_id, name in zip(ids, ("ab", "twin", "twin"), strict=True):
        _start(writer, run_id, name=name)
    writer.close()
    ingest(store)
    with db.connect(store, write=False) as con:
        assert resolve_run(con, "ab") == ids[0]  # shorter than an id prefix may be
        assert resolve_run(con, ids[1]) == ids[1]
        with pytest.raises(BadReference, match=rf"'twin' is ambiguous: it could be twin "
                                               rf"\({ids[2]}\), twin \({ids[1]}\)"):
            resolve_run(con, "twin")
        with pytest.raises(BadReference, match="too short"):
            resolve_run(con, "zz")
        with pytest.raises(NotFound, match="unknown run id 'nosuchrun'"):
            resolve_run(con, "nosuchrun")


def test_distinct_skips_the_names_taken():
    run_id = ev.new_id()
    first = names.derive(run_id, "train.ipynb")
    second = names.distinct(run_id, "train.ipynb", {first})
    assert second != first and second.startswith("train-")


@pytest.mark.parametrize("bad", ["", "   ", "a\nb", "x" * 81, 3])
def test_a_name_that_cannot_be_shown_is_refused(bad):
    assert names.problem(bad) is not None
