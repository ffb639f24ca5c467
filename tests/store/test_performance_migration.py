"""Migration 12's performance tables: a store at version 11 gains them and keeps its rows."""

import duckdb

from jupyter_mlops.store.schema import MIGRATIONS, VERSION, migrate


def test_a_version_11_store_gains_the_performance_tables(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("CREATE TABLE schema_version (version INTEGER, applied TIMESTAMP)")
    for number, sql in enumerate(MIGRATIONS[:11], start=1):  # a store as version 11 left it
        con.execute(sql)
        con.execute("INSERT INTO schema_version VALUES (?, now())", [number])
    con.execute("INSERT INTO profiles (event_id, name) VALUES ('p1', 'train')")
    assert migrate(con) == VERSION >= 12
    assert con.execute("SELECT name FROM profiles").fetchall() == [("train",)]
    for table in ("performance", "performance_references"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
