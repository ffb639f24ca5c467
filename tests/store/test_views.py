"""SQL over the documented views: answers, and hostile SQL refused with a clear message."""

import threading
import time

import pytest

import jupyter_mlops as mlops
from jupyter_mlops import events as ev
from jupyter_mlops.exceptions import BadQuery
from jupyter_mlops.store import queries
from jupyter_mlops.store.queries import user_sql, views
from jupyter_mlops.store.spool import SpoolWriter


def test_sql_answers_over_the_views_with_utc_timestamps(churn):
    found = mlops.sql('SELECT run_id, "params.max_depth", "metrics.auc", started '
                      'FROM runs_wide ORDER BY run_id')
    assert found["params.max_depth"].tolist() == [0, 1, 2]
    assert found["metrics.auc"].tolist() == pytest.approx([0.7, 1.7, 2.7])  # the last value
    assert str(found["started"].dt.tz) == "UTC"
    best = mlops.sql("SELECT run_id, arg_max(step, value) AS step FROM metric_history "
                     "GROUP BY run_id")
    assert best["step"].tolist() == [1, 1, 1]  # the best step, not the last


def test_every_view_answers_with_its_documented_columns(churn):
    with queries.reading(churn) as con:
        views.install(con)
        for name in views.VIEWS:
            documented = [c for c, _ in views.columns(con, name)]
            assert mlops.sql(f"SELECT * FROM {name}").columns.tolist() == documented


def test_describe_and_summarize_a_view(churn):
    assert "params.max_depth" in mlops.sql("DESCRIBE runs_wide")["column_name"].tolist()
    assert len(mlops.sql("SUMMARIZE metric_history")) == 7


def test_the_documented_examples_run(churn):
    for _, query in views.EXAMPLES:
        mlops.sql(query)


@pytest.mark.parametrize(("query", "message"), [
    ("SELECT * FROM read_csv('/etc/passwd')", "table function read_csv() is not allowed"),
    ("SELECT * FROM read_text('/etc/passwd')", "table function read_text() is not allowed"),
    ("SELECT * FROM '/etc/passwd'", "no view named '/etc/passwd'"),
    ("SELECT * FROM runs_wide, LATERAL (SELECT * FROM read_parquet('x.parquet'))",
     "read_parquet() is not allowed"),
    ("SELECT * FROM glob('/etc/*')", "glob() is not allowed"),
    ("ATTACH '/tmp/other.db' AS o", "this is ATTACH"),
    ("COPY (SELECT 1) TO '/tmp/out.csv'", "this is COPY"),
    ("INSTALL httpfs", "this is LOAD"),
    ("LOAD httpfs", "this is LOAD"),
    ("PRAGMA version", "this is PRAGMA"),
    ("SET threads = 8", "this is SET"),
    ("INSERT INTO runs VALUES ('x')", "this is INSERT"),
    ("DELETE FROM runs", "this is DELETE"),
    ("DROP TABLE runs", "this is DROP"),
    ("CREATE TABLE t AS SELECT 1", "this is CREATE"),
    ("SELECT 1; DELETE FROM runs", "give one SELECT statement, not 2"),
    ("SELECT * FROM runs", "no view named 'runs'. The views are: runs_wide, metric_history"),
    ("SELECT * FROM main.event_log", "no view named 'main.event_log'"),
    ("WITH x AS (SELECT * FROM params) SELECT * FROM x", "no view named 'params'"),
    ("SHOW TABLES", "SHOW lists the store's tables, which are not public"),
    ("SHOW ALL TABLES", "SHOW lists the store's tables"),
    ("DESCRIBE runs", "no view named 'runs'"),
    ("SELECT * FROM query('SELECT * FROM runs')", "table function query() is not allowed"),
    ("SELECT * FROM duckdb_tables()", "table function duckdb_tables() is not allowed"),
])
def test_hostile_sql_is_refused(churn, query, message):
    with pytest.raises(BadQuery) as e:
        mlops.sql(query)
    assert message in str(e.value)


def test_nothing_was_written(churn):
    before = mlops.sql("SELECT count(*) AS n FROM runs_wide")["n"][0]
    for query in ("DELETE FROM runs", "DROP TABLE runs"):
        with pytest.raises(BadQuery):
            mlops.sql(query)
    assert mlops.sql("SELECT count(*) AS n FROM runs_wide")["n"][0] == before == 3
    assert not (churn.root / "out.csv").exists()


def test_file_access_is_off_on_the_connection(churn):
    """A second barrier behind the parser check: the connection itself reads no file."""
    with queries.reading(churn) as con:
        views.install(con)
        with pytest.raises(BadQuery, match="file system operations are disabled"):
            user_sql.guarded(con, "SELECT * FROM read_csv('/etc/passwd')")


def test_unknown_column_names_it_and_lists_the_columns(churn):
    with pytest.raises(BadQuery) as e:
        mlops.sql("SELECT nope FROM cells")
    text = str(e.value)
    assert '"nope" not found' in text
    assert "cells: run_id, seq, cell_id, event_id" in text
    assert "runs_wide:" not in text  # only the views the query names


def test_an_endless_query_is_stopped_by_the_timeout(churn):
    t = time.perf_counter()
    with pytest.raises(BadQuery, match=r"ran longer than 0\.5 s and was stopped"):
        mlops.sql("SELECT count(*) FROM range(10000000000) a, range(1000) b", timeout=0.5)
    assert time.perf_counter() - t < 5
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)
                and t.is_alive()]


def test_empty_sql_says_what_to_give(churn):
    with pytest.raises(BadQuery, match="give the SQL as a non-empty string"):
        mlops.sql("  ")


def test_a_store_without_a_database_reads_as_empty(store):
    assert mlops.sql("SELECT * FROM runs_wide").empty
    assert mlops.sql("SELECT * FROM jobs").empty


def test_runs_wide_types_each_param_by_its_values(store):
    w = SpoolWriter(store)
    for r, params in enumerate([{"n": 1, "x": 0.5, "on": True, "name": "a", "mixed": 1},
                                {"n": 2, "x": 2, "on": False, "name": "b", "mixed": "z"}]):
        run_id = "e" * 30 + f"{r:02d}"
        w.append(ev.Event(ev.RUN_STARTED, {"run_id": run_id, "experiment": "t",
                                           "kind": "interactive"}))
        w.append(ev.Event(ev.PARAMS, {"run_id": run_id, "params": params}))
    with queries.reading(store) as con:
        views.install(con)
        kinds = dict(views.columns(con, "runs_wide"))
    assert [kinds[f"params.{k}"] for k in ("n", "x", "on", "name", "mixed")] == [
        "BIGINT", "DOUBLE", "BOOLEAN", "VARCHAR", "VARCHAR"]
    found = mlops.sql('SELECT "params.name", "params.mixed" FROM runs_wide ORDER BY run_id')
    assert found.values.tolist() == [["a", "1"], ["b", "z"]]  # JSON strings unquoted
