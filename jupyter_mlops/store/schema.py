"""The DuckDB schema as numbered migrations, applied in order by ingest.

A migration is never edited once released: add a new one. The version reached is stored in
``schema_version``. No primary keys: ingest deduplicates by event id itself, and DuckDB's
index checks on UPDATE are stricter than this append-mostly workload needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .db import run, scalar

if TYPE_CHECKING:
    import duckdb

MIGRATIONS: list[str] = [
    # 1: the spine: runs, cells, params, metrics, datasets, lineage, environments
    """
    CREATE TABLE spool_files (file VARCHAR, "offset" BIGINT);
    CREATE TABLE event_log (id VARCHAR, type VARCHAR, ts TIMESTAMP, file VARCHAR);
    CREATE TABLE experiments (name VARCHAR, created TIMESTAMP);
    CREATE TABLE runs (
        id VARCHAR, experiment VARCHAR, kind VARCHAR, status VARCHAR,
        started TIMESTAMP, ended TIMESTAMP, last_event TIMESTAMP,
        notebook VARCHAR, notebook_hash VARCHAR, git_commit VARCHAR, git_dirty BOOLEAN,
        env_id VARCHAR, parent_run VARCHAR, host VARCHAR, pid INTEGER, writer VARCHAR);
    CREATE TABLE cells (
        event_id VARCHAR, run_id VARCHAR, seq INTEGER, cell_id VARCHAR,
        execution_count INTEGER, source VARCHAR, source_hash VARCHAR,
        started TIMESTAMP, duration_ms DOUBLE, status VARCHAR,
        error_type VARCHAR, error_message VARCHAR, reads VARCHAR[], writes VARCHAR[]);
    CREATE TABLE params (
        event_id VARCHAR, run_id VARCHAR, cell_seq INTEGER, key VARCHAR, value VARCHAR,
        ts TIMESTAMP);
    CREATE TABLE metrics (
        event_id VARCHAR, run_id VARCHAR, cell_seq INTEGER, key VARCHAR, value DOUBLE,
        step BIGINT, ts TIMESTAMP);
    CREATE TABLE datasets (
        fingerprint VARCHAR, kind VARCHAR, shape BIGINT[], schema VARCHAR, nbytes BIGINT,
        first_seen TIMESTAMP);
    CREATE TABLE lineage_edges (
        src_kind VARCHAR, src_id VARCHAR, dst_kind VARCHAR, dst_id VARCHAR,
        relation VARCHAR, name VARCHAR, run_id VARCHAR, ts TIMESTAMP, event_id VARCHAR);
    CREATE TABLE environments (
        id VARCHAR, python VARCHAR, platform VARCHAR, hostname VARCHAR, kernel VARCHAR,
        packages VARCHAR, first_seen TIMESTAMP);
    """,
    # 2: drift monitoring: reference profiles and drift reports with per-column rows
    """
    CREATE TABLE profiles (
        event_id VARCHAR, fingerprint VARCHAR, name VARCHAR, rows BIGINT, body VARCHAR,
        run_id VARCHAR, created TIMESTAMP);
    CREATE TABLE drift_reports (
        id VARCHAR, run_id VARCHAR, reference VARCHAR, reference_name VARCHAR,
        current VARCHAR, model VARCHAR, method VARCHAR, n_reference BIGINT, n_current BIGINT,
        columns_compared INTEGER, columns_drifted INTEGER, share_drifted DOUBLE,
        dataset_drift BOOLEAN, options VARCHAR, created TIMESTAMP);
    CREATE TABLE drift_columns (
        report_id VARCHAR, column_name VARCHAR, kind VARCHAR, method VARCHAR,
        statistic DOUBLE, p_value DOUBLE, p_adjusted DOUBLE, effect DOUBLE,
        effect_name VARCHAR, threshold DOUBLE, drifted BOOLEAN, psi DOUBLE, js DOUBLE,
        tvd DOUBLE, missing_reference DOUBLE, missing_current DOUBLE, missing_drifted BOOLEAN,
        new_categories VARCHAR[], vanished_categories VARCHAR[], skipped VARCHAR,
        detail VARCHAR);
    """,
    # 3: the model registry: versions and the full history of every alias
    """
    CREATE TABLE model_versions (
        event_id VARCHAR, name VARCHAR, version INTEGER, run_id VARCHAR, artifact VARCHAR,
        format VARCHAR, flavor VARCHAR, metrics VARCHAR, params VARCHAR, data VARCHAR[],
        size BIGINT, created TIMESTAMP);
    CREATE TABLE aliases (
        event_id VARCHAR, name VARCHAR, alias VARCHAR, version INTEGER, previous INTEGER,
        set_by VARCHAR, gate VARCHAR, created TIMESTAMP);
    CREATE TABLE fits (
        id VARCHAR, run_id VARCHAR, cell_seq INTEGER, method VARCHAR, estimator VARCHAR,
        params VARCHAR, inputs VARCHAR[], duration_ms DOUBLE, artifact VARCHAR,
        format VARCHAR, search VARCHAR, created TIMESTAMP);
    """,
    # 4: the lineage graph as queried: recorded edges, plus each fit's calling cell (joined
    # here, so it holds whichever of the two events was ingested first)
    """
    CREATE VIEW lineage AS
    SELECT src_kind, src_id, dst_kind, dst_id, relation, name FROM lineage_edges
    UNION ALL
    SELECT 'cell', c.event_id, 'fit', f.id, 'called', NULL
    FROM fits f JOIN cells c ON c.run_id = f.run_id AND c.seq = f.cell_seq;
    """,
    # 5: cell -> fit edges become rows (ingest writes them from whichever event comes second),
    # so walks do not re-join fits and cells at every step
    """
    INSERT INTO lineage_edges
    SELECT 'cell', c.event_id, 'fit', f.id, 'called', NULL, f.run_id, f.created, f.id
    FROM fits f JOIN cells c ON c.run_id = f.run_id AND c.seq = f.cell_seq;
    CREATE OR REPLACE VIEW lineage AS
    SELECT src_kind, src_id, dst_kind, dst_id, relation, name FROM lineage_edges;
    """,
    # 6: jobs (a job execution is a run of kind 'job'), schedules (the latest state of each
    # name wins) and requests for the scheduler daemon
    """
    CREATE TABLE jobs (
        run_id VARCHAR, notebook VARCHAR, notebook_sha VARCHAR, params VARCHAR,
        schedule VARCHAR, trigger VARCHAR, request VARCHAR, reproduces VARCHAR,
        parent_run VARCHAR, executor VARCHAR, timeout_s DOUBLE, scheduled_for TIMESTAMP,
        host VARCHAR, pid INTEGER, started TIMESTAMP, ended TIMESTAMP, status VARCHAR,
        reason VARCHAR, failed_cell INTEGER, error_type VARCHAR, error_message VARCHAR,
        traceback VARCHAR, output VARCHAR, output_sha VARCHAR);
    CREATE TABLE schedule_events (
        event_id VARCHAR, name VARCHAR, state VARCHAR, removed BOOLEAN, ts TIMESTAMP);
    CREATE VIEW schedules AS
    SELECT name, state, created, updated FROM (
        SELECT name, arg_max(state, event_id) AS state, arg_max(removed, event_id) AS removed,
               min(ts) AS created, max(ts) AS updated
        FROM schedule_events GROUP BY name)
    WHERE NOT removed;
    CREATE TABLE job_requests (
        id VARCHAR, schedule VARCHAR, params VARCHAR, parent_run VARCHAR, ts TIMESTAMP);
    """,
    # 7: where each alias points now (the latest move wins), defined once for every reader
    """
    CREATE VIEW current_aliases AS
    SELECT name, alias, arg_max(version, event_id) AS version FROM aliases
    GROUP BY name, alias;
    """,
    # 8: each cell's per-statement reads/writes/kills (JSON) and capture's own time
    """
    ALTER TABLE cells ADD COLUMN statements VARCHAR;
    ALTER TABLE cells ADD COLUMN capture_ms DOUBLE;
    """,
    # 9: a job's runner is known by pid and start time (a reused pid is not it), and a
    # scheduler claims each slot before its job starts, so a successor daemon never runs a
    # slot twice
    """
    ALTER TABLE jobs ADD COLUMN pid_started DOUBLE;
    CREATE TABLE job_claims (
        run_id VARCHAR, schedule VARCHAR, scheduled_for TIMESTAMP, request VARCHAR,
        host VARCHAR, pid INTEGER, pid_started DOUBLE, claimed TIMESTAMP, ended TIMESTAMP);
    """,
]

VERSION = len(MIGRATIONS)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of an open database (0 for a new file)."""
    has_table = scalar(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'")
    if not has_table:
        return 0
    return scalar(con, "SELECT coalesce(max(version), 0) FROM schema_version")


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the database to :data:`VERSION`, each migration in its own transaction."""
    run(con, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied TIMESTAMP)")
    version = current_version(con)
    if version > VERSION:
        from ..exceptions import StoreError

        raise StoreError(
            f"the store's schema version {version} is newer than this jupyter-mlops "
            f"understands ({VERSION}). Upgrade jupyter-mlops."
        )
    for number in range(version + 1, VERSION + 1):
        run(con, "BEGIN TRANSACTION")
        run(con, MIGRATIONS[number - 1])
        run(con, "INSERT INTO schema_version VALUES (?, now())", [number])
        run(con, "COMMIT")
    return VERSION
