"""Schema migrations: a store written by an older version is upgraded in place."""

import duckdb
import pytest

from jupyter_mlops.store.schema import MIGRATIONS, VERSION, migrate


def old_store(tmp_path, version):
    """A database as schema ``version`` left it."""
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("CREATE TABLE schema_version (version INTEGER, applied TIMESTAMP)")
    for number, sql in enumerate(MIGRATIONS[:version], start=1):
        con.execute(sql)
        con.execute("INSERT INTO schema_version VALUES (?, now())", [number])
    return con


def test_migration_10_renames_cell_seq_and_the_cell_data_relations(tmp_path):
    con = old_store(tmp_path, 9)
    con.execute("INSERT INTO params VALUES ('e1', 'r1', 3, 'alpha', '0.5', now())")
    con.execute("INSERT INTO metrics VALUES ('e2', 'r1', 4, 'auc', 0.9, NULL, now())")
    con.execute("INSERT INTO fits (id, run_id, cell_seq) VALUES ('f1', 'r1', 5)")
    con.execute("""INSERT INTO lineage_edges VALUES
        ('dataset', 'd1', 'cell', 'c1', 'read', 'df', 'r1', now(), 'c1'),
        ('cell', 'c1', 'dataset', 'd2', 'wrote', 'out', 'r1', now(), 'c1'),
        ('run', 'r1', 'model_version', 'm:1', 'produced', NULL, 'r1', now(), 'v1')""")
    assert migrate(con) == VERSION >= 10
    assert con.execute("SELECT seq FROM params").fetchall() == [(3,)]
    assert con.execute("SELECT seq FROM metrics").fetchall() == [(4,)]
    assert con.execute("SELECT seq FROM fits").fetchall() == [(5,)]
    assert con.execute("SELECT relation FROM lineage ORDER BY ALL").fetchall() == [
        ("produced",), ("reads",), ("writes",)]


def test_the_missing_migrations_apply_all_or_none(tmp_path, monkeypatch):
    from jupyter_mlops.store import schema

    con = duckdb.connect(str(tmp_path / "new.duckdb"))
    monkeypatch.setattr(schema, "MIGRATIONS", [*MIGRATIONS[:-1], "SELECT no_such_column"])
    with pytest.raises(duckdb.BinderException):
        migrate(con)
    assert con.execute("SELECT count(*) FROM schema_version").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM information_schema.tables "
                       "WHERE table_name = 'runs'").fetchall() == [(0,)]
    monkeypatch.undo()
    assert migrate(con) == VERSION
