"""Who: every event carries the user and host that wrote it, and the tables readers need keep
them; events written before schema 12 (no user, no host) still apply, with NULL."""

import json

import duckdb
import pandas as pd

from jupyter_mlops import events as ev
from jupyter_mlops.store import queries
from jupyter_mlops.store.ingest import ingest, rebuild
from jupyter_mlops.store.schema import VERSION, migrate
from jupyter_mlops.store.spool import SpoolWriter
from tests.conftest import cli
from tests.store.test_schema import old_store

RUN, OLD_RUN = "a" * 32, "b" * 32


def _old_line(event):
    """``event`` as a writer before schema 12 wrote it: no user, no host."""
    line = json.loads(event.to_line())
    del line["user"], line["host"]
    return (json.dumps(line) + "\n").encode()


def _fill(store):
    w = SpoolWriter(store)
    w.write([ev.Event(ev.RUN_STARTED, {"run_id": RUN, "experiment": "who", "kind": "job"}),
             ev.Event(ev.JOB_STARTED, {"run_id": RUN, "notebook": "train.ipynb"}),
             ev.Event(ev.MODEL_VERSION, {"run_id": RUN, "name": "churn", "version": 1}),
             ev.Event(ev.ALIAS_SET, {"name": "churn", "alias": "champion", "version": 1},
                      user="alice", host="laptop")])  # as merged from alice's machine
    w.close()
    old = ev.Event(ev.RUN_STARTED, {"run_id": OLD_RUN, "experiment": "who",
                                    "kind": "interactive", "host": "oldbox"})
    (store.spool_dir / "oldbox-1-1-00000.jsonl").write_bytes(_old_line(old))


def _tables(store):
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("runs", "model_versions", "aliases", "jobs")}


def test_a_line_carries_its_writer_and_a_foreign_one_keeps_its_own():
    line = json.loads(ev.Event(ev.RUN_ENDED, {"run_id": RUN}).to_line())
    assert (line["user"], line["host"]) == (ev.USER, ev.HOST) and ev.USER and ev.HOST
    foreign = ev.Event.from_dict({**line, "user": "alice", "host": "laptop"})
    assert json.loads(foreign.to_line())["user"] == "alice"
    old = ev.Event.from_dict(json.loads(_old_line(ev.Event(ev.RUN_ENDED, {}))))
    assert (old.user, old.host) == (None, None)


def test_runs_versions_aliases_and_jobs_say_who_and_a_rebuild_agrees(store):
    _fill(store)
    ingest(store)
    runs = queries.runs(store).set_index("run_id")
    assert (runs.loc[RUN, "user"], runs.loc[RUN, "host"]) == (ev.USER, ev.HOST)
    assert pd.isna(runs.loc[OLD_RUN, "user"]) and runs.loc[OLD_RUN, "host"] == "oldbox"
    history = queries.alias_history(store, "churn")
    assert history[["user", "host"]].values.tolist() == [["alice", "laptop"]]
    models = queries.models(store)
    assert models[["user", "host"]].values.tolist() == [[ev.USER, ev.HOST]]
    assert queries.run(store, RUN)["user"] == ev.USER
    before = _tables(store)
    assert before["jobs"] and ev.USER in before["jobs"][0]
    rebuild(store)
    assert _tables(store) == before


def test_migration_12_keeps_rows_written_before_it(tmp_path):
    con = old_store(tmp_path, 11)
    con.execute("INSERT INTO runs (id, host) VALUES (?, 'oldbox')", [OLD_RUN])
    con.execute("INSERT INTO aliases (name, alias, version) VALUES ('churn', 'champion', 1)")
    assert migrate(con) == VERSION >= 12
    assert con.execute('SELECT "user", host FROM runs').fetchall() == [(None, "oldbox")]
    assert con.execute('SELECT "user", host FROM aliases').fetchall() == [(None, None)]


def test_the_runs_command_shows_who(store):
    _fill(store)
    out = cli("runs").stdout
    assert "user" in out.splitlines()[0] and ev.USER in out and "oldbox" in out
    history = json.loads(cli("models", "--history", "churn", "--json").stdout)
    assert (history[0]["user"], history[0]["host"]) == ("alice", "laptop")
