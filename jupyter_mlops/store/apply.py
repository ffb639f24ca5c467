"""How events become rows: set-based SQL over a batch of raw spool lines.

DuckDB parses the JSON and fans events out into tables in vectorized C++, so ingest costs a
few microseconds an event whatever its size (a params event with 20 keys is 20 rows).
Casts are ``TRY_CAST``: a malformed field from a foreign writer becomes NULL instead of
blocking every later ingest. Inserts run before updates, so the order of events inside a
batch never matters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .db import run, scalar

if TYPE_CHECKING:
    import duckdb

_TS = "make_timestamp(CAST(CAST({} AS DOUBLE) * 1000000 AS BIGINT))"

#: The envelope of every event; the payload stays JSON text for the statements below.
_ENVELOPE = '{"id": "VARCHAR", "type": "VARCHAR", "ts": "DOUBLE", "payload": "JSON"}'
_YEAR_3000 = 32_503_680_000

#: ``_chunks(chunk, file, text)`` -> ``_lines``: one row per line, split by DuckDB (handing
#: it one string per file costs far less than one Python string per line).
SPLIT = """
CREATE OR REPLACE TEMP TABLE _lines AS
SELECT chunk, idx, file, line FROM (
    SELECT chunk, file, generate_subscripts(l, 1) AS idx, unnest(l) AS line
    FROM (SELECT chunk, file, string_split(text, chr(10)) AS l FROM _chunks))
WHERE line <> ''
"""

#: ``_lines`` -> ``_incoming``: the lines that are well-formed events, each parsed once
#: (MATERIALIZED: otherwise each field reference re-runs from_json; ``try`` turns a line
#: that is not JSON into NULL instead of an error). A JSON payload that
#: from_json re-serialises starts with "{" exactly when it is an object.
PARSE = f"""
CREATE OR REPLACE TEMP TABLE _incoming AS
WITH parsed AS MATERIALIZED (
    SELECT chunk, idx, file, try(from_json(line, '{_ENVELOPE}')) AS e FROM _lines)
SELECT chunk, idx, file, e.id, e.type, {_TS.format("e.ts")} AS ts, e.payload AS p,
       e.payload->>'run_id' AS run_id
FROM parsed
WHERE e.id IS NOT NULL AND e.type IS NOT NULL AND e.ts BETWEEN 0 AND {_YEAR_3000}
  AND starts_with(CAST(e.payload AS VARCHAR), '{{')
"""

#: ``_incoming`` -> ``_new``: events not applied before (by id).
DEDUPE = """
CREATE OR REPLACE TEMP TABLE _new AS
SELECT * FROM _incoming i WHERE NOT EXISTS (SELECT 1 FROM event_log e WHERE e.id = i.id)
"""
#: The same event twice in one batch (a copied spool file): keep the first.
DEDUPE_BATCH = """
CREATE OR REPLACE TEMP TABLE _new AS
SELECT * FROM _new QUALIFY row_number() OVER (PARTITION BY id ORDER BY chunk, idx) = 1
"""

#: A spool file's writer: its name without the segment number (ingest's one definition).
WRITER = r"regexp_extract(file, '^(.*)-[^-]*$', 1)"

APPLY = [
    "INSERT INTO event_log SELECT id, type, ts, file FROM _new",
    """CREATE OR REPLACE TEMP TABLE _last AS
    SELECT run_id, max(ts) AS ts FROM _new WHERE run_id IS NOT NULL GROUP BY run_id""",
    # runs and experiments
    f"""INSERT INTO runs BY NAME
    SELECT run_id AS id, p->>'experiment' AS experiment, p->>'kind' AS kind,
           'running' AS status, n.ts AS started, l.ts AS last_event,
           p->>'notebook' AS notebook, p->>'notebook_hash' AS notebook_hash,
           p->>'parent_run' AS parent_run, p->>'host' AS host,
           TRY_CAST(p->>'pid' AS INTEGER) AS pid, {WRITER} AS writer
    FROM _new n LEFT JOIN _last l USING (run_id) WHERE type = 'run_started'""",
    """INSERT INTO experiments
    SELECT name, min(ts) FROM (
        SELECT p->>'experiment' AS name, ts FROM _new
        WHERE type IN ('run_started', 'run_updated')) n
    WHERE name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM experiments e WHERE e.name = n.name)
    GROUP BY name""",
    # cells, the data they touched, and the edges between them
    f"""INSERT INTO cells BY NAME
    SELECT id AS event_id, run_id, TRY_CAST(p->>'seq' AS INTEGER) AS seq,
           p->>'cell_id' AS cell_id, TRY_CAST(p->>'execution_count' AS INTEGER) AS execution_count,
           p->>'source' AS source, p->>'source_hash' AS source_hash,
           coalesce({_TS.format("TRY_CAST(p->>'started' AS DOUBLE)")}, ts) AS started,
           TRY_CAST(p->>'duration_ms' AS DOUBLE) AS duration_ms, p->>'status' AS status,
           p->>'error_type' AS error_type, p->>'error_message' AS error_message,
           coalesce(TRY_CAST(p->'reads' AS VARCHAR[]), []) AS reads,
           coalesce(TRY_CAST(p->'writes' AS VARCHAR[]), []) AS writes,
           CAST(p->'statements' AS VARCHAR) AS statements,
           TRY_CAST(p->>'capture_ms' AS DOUBLE) AS capture_ms
    FROM _new WHERE type = 'cell'""",
    """CREATE OR REPLACE TEMP TABLE _data AS
    SELECT id, ts, run_id, d->>'fingerprint' AS fingerprint, d->>'kind' AS kind,
           TRY_CAST(d->'shape' AS BIGINT[]) AS shape, CAST(d->'schema' AS VARCHAR) AS schema,
           TRY_CAST(d->>'nbytes' AS BIGINT) AS nbytes, d->>'name' AS name,
           coalesce(d->>'role', 'wrote') = 'read' AS is_read
    FROM (SELECT id, ts, run_id, unnest(TRY_CAST(p->'data' AS JSON[])) AS d
          FROM _new WHERE type = 'cell')
    WHERE d->>'fingerprint' IS NOT NULL""",
    """INSERT INTO datasets
    SELECT fingerprint, arg_min(kind, ts), arg_min(shape, ts), arg_min(schema, ts),
           arg_min(nbytes, ts), min(ts)
    FROM _data d WHERE NOT EXISTS (SELECT 1 FROM datasets x WHERE x.fingerprint = d.fingerprint)
    GROUP BY fingerprint""",
    """INSERT INTO lineage_edges
    SELECT CASE WHEN is_read THEN 'dataset' ELSE 'cell' END,
           CASE WHEN is_read THEN fingerprint ELSE id END,
           CASE WHEN is_read THEN 'cell' ELSE 'dataset' END,
           CASE WHEN is_read THEN id ELSE fingerprint END,
           CASE WHEN is_read THEN 'read' ELSE 'wrote' END, name, run_id, ts, id
    FROM _data""",
    # params (any JSON value, kept as JSON text) and metrics (numbers)
    """INSERT INTO params BY NAME
    SELECT id AS event_id, run_id, cell_seq, unnest(map_keys(m)) AS key,
           unnest(map_values(m)) AS value, ts
    FROM (SELECT id, run_id, ts, TRY_CAST(p->>'cell_seq' AS INTEGER) AS cell_seq,
                 TRY_CAST(p->'params' AS MAP(VARCHAR, JSON)) AS m
          FROM _new WHERE type = 'params')""",
    """INSERT INTO metrics BY NAME
    SELECT id AS event_id, run_id, cell_seq, unnest(map_keys(m)) AS key,
           unnest(map_values(m)) AS value, step, ts
    FROM (SELECT id, run_id, ts, TRY_CAST(p->>'cell_seq' AS INTEGER) AS cell_seq,
                 TRY_CAST(p->>'step' AS BIGINT) AS step,
                 TRY_CAST(p->'metrics' AS MAP(VARCHAR, DOUBLE)) AS m
          FROM _new WHERE type = 'metrics')""",
    """INSERT INTO environments
    SELECT p->>'env_id', p->'environment'->>'python', p->'environment'->>'platform',
           p->'environment'->>'hostname', p->'environment'->>'kernel',
           CAST(p->'environment'->'packages' AS VARCHAR), ts
    FROM _new n WHERE type = 'run_environment' AND p->>'env_id' IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM environments e WHERE e.id = n.p->>'env_id')
    QUALIFY row_number() OVER (PARTITION BY p->>'env_id' ORDER BY id) = 1""",
    # drift monitoring: profiles, reports, their columns, and lineage to data and model
    """INSERT INTO profiles
    SELECT id, p->>'fingerprint', p->>'name', TRY_CAST(p->>'rows' AS BIGINT),
           CAST(p->'profile' AS VARCHAR), run_id, ts
    FROM _new WHERE type = 'profile'""",
    """INSERT INTO datasets
    SELECT p->>'fingerprint', 'DataFrame', arg_min(TRY_CAST(p->'shape' AS BIGINT[]), ts),
           arg_min(CAST(p->'schema' AS VARCHAR), ts), NULL, min(ts)
    FROM _new n WHERE type = 'profile' AND p->>'fingerprint' IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM datasets d WHERE d.fingerprint = n.p->>'fingerprint')
    GROUP BY p->>'fingerprint'""",
    """INSERT INTO drift_reports
    SELECT id, run_id, p->>'reference', p->>'reference_name', p->>'current', p->>'model',
           p->>'method', TRY_CAST(p->>'n_reference' AS BIGINT),
           TRY_CAST(p->>'n_current' AS BIGINT), TRY_CAST(p->>'columns_compared' AS INTEGER),
           TRY_CAST(p->>'columns_drifted' AS INTEGER),
           TRY_CAST(p->>'share_drifted' AS DOUBLE), TRY_CAST(p->>'dataset_drift' AS BOOLEAN),
           CAST(p->'options' AS VARCHAR), ts
    FROM _new WHERE type = 'drift_report'""",
    """INSERT INTO drift_columns
    SELECT id, c->>'column', c->>'kind', c->>'method', TRY_CAST(c->>'statistic' AS DOUBLE),
           TRY_CAST(c->>'p_value' AS DOUBLE), TRY_CAST(c->>'p_adjusted' AS DOUBLE),
           TRY_CAST(c->>'effect' AS DOUBLE), c->>'effect_name',
           TRY_CAST(c->>'threshold' AS DOUBLE), TRY_CAST(c->>'drifted' AS BOOLEAN),
           TRY_CAST(c->>'psi' AS DOUBLE), TRY_CAST(c->>'js' AS DOUBLE),
           TRY_CAST(c->>'tvd' AS DOUBLE), TRY_CAST(c->>'missing_reference' AS DOUBLE),
           TRY_CAST(c->>'missing_current' AS DOUBLE),
           TRY_CAST(c->>'missing_drifted' AS BOOLEAN),
           TRY_CAST(c->'new_categories' AS VARCHAR[]),
           TRY_CAST(c->'vanished_categories' AS VARCHAR[]), c->>'skipped',
           CAST(c->'detail' AS VARCHAR)
    FROM (SELECT id, unnest(TRY_CAST(p->'columns' AS JSON[])) AS c
          FROM _new WHERE type = 'drift_report')""",
    """INSERT INTO lineage_edges
    SELECT src_kind, src_id, 'drift_report', id, 'monitored_by', name, run_id, ts, id FROM (
        SELECT 'dataset' AS src_kind, p->>'reference' AS src_id, 'reference' AS name, * FROM _new
        WHERE type = 'drift_report'
        UNION ALL BY NAME
        SELECT 'dataset' AS src_kind, p->>'current' AS src_id, 'current' AS name, * FROM _new
        WHERE type = 'drift_report'
        UNION ALL BY NAME
        SELECT 'model_version' AS src_kind, p->>'model' AS src_id, 'model' AS name, * FROM _new
        WHERE type = 'drift_report')
    WHERE src_id IS NOT NULL""",
    # the model registry, and its lineage: run -> version, data -> version, version -> alias
    """INSERT INTO model_versions
    SELECT id, p->>'name', TRY_CAST(p->>'version' AS INTEGER), run_id, p->>'artifact',
           p->>'format', p->>'flavor', CAST(p->'metrics' AS VARCHAR),
           CAST(p->'params' AS VARCHAR), coalesce(TRY_CAST(p->'data' AS VARCHAR[]), []),
           TRY_CAST(p->>'size' AS BIGINT), ts
    FROM _new WHERE type = 'model_version'""",
    """INSERT INTO aliases
    SELECT id, p->>'name', p->>'alias', TRY_CAST(p->>'version' AS INTEGER),
           TRY_CAST(p->>'previous' AS INTEGER), p->>'set_by', CAST(p->'gate' AS VARCHAR), ts
    FROM _new WHERE type = 'alias_set'""",
    """INSERT INTO lineage_edges
    SELECT src_kind, src_id, dst_kind, dst_id, relation, NULL, run_id, ts, id FROM (
        SELECT 'run' AS src_kind, run_id AS src_id, 'model_version' AS dst_kind,
               concat(p->>'name', ':', p->>'version') AS dst_id, 'produced' AS relation, *
        FROM _new WHERE type = 'model_version' AND run_id IS NOT NULL
        UNION ALL BY NAME
        SELECT 'dataset' AS src_kind, unnest(TRY_CAST(p->'data' AS VARCHAR[])) AS src_id,
               'model_version' AS dst_kind, concat(p->>'name', ':', p->>'version') AS dst_id,
               'trained_on' AS relation, *
        FROM _new WHERE type = 'model_version'
        UNION ALL BY NAME
        SELECT 'fit' AS src_kind, p->>'fit' AS src_id, 'model_version' AS dst_kind,
               concat(p->>'name', ':', p->>'version') AS dst_id, 'produced' AS relation, *
        FROM _new WHERE type = 'model_version' AND p->>'fit' IS NOT NULL
        UNION ALL BY NAME
        SELECT 'model_version' AS src_kind, concat(p->>'name', ':', p->>'version') AS src_id,
               'alias' AS dst_kind, concat(p->>'name', '@', p->>'alias') AS dst_id,
               'aliased_as' AS relation, *
        FROM _new WHERE type = 'alias_set')""",
    # autologged fits, the data they were fitted on, and its edges
    """CREATE OR REPLACE TEMP TABLE _fit_inputs AS
    SELECT id, ts, run_id, d->>'fingerprint' AS fingerprint, d->>'kind' AS kind,
           TRY_CAST(d->'shape' AS BIGINT[]) AS shape, CAST(d->'schema' AS VARCHAR) AS schema,
           TRY_CAST(d->>'nbytes' AS BIGINT) AS nbytes, d->>'role' AS role
    FROM (SELECT id, ts, run_id, unnest(TRY_CAST(p->'inputs' AS JSON[])) AS d
          FROM _new WHERE type = 'fit')
    WHERE d->>'fingerprint' IS NOT NULL""",
    """INSERT INTO fits
    SELECT id, run_id, TRY_CAST(p->>'cell_seq' AS INTEGER), p->>'method', p->>'estimator',
           CAST(p->'params' AS VARCHAR),
           coalesce((SELECT list(i.fingerprint) FROM _fit_inputs i WHERE i.id = n.id), []),
           TRY_CAST(p->>'duration_ms' AS DOUBLE), p->>'artifact', p->>'format',
           nullif(CAST(p->'search' AS VARCHAR), 'null'), ts
    FROM _new n WHERE type = 'fit'""",
    """INSERT INTO datasets
    SELECT fingerprint, arg_min(kind, ts), arg_min(shape, ts), arg_min(schema, ts),
           arg_min(nbytes, ts), min(ts)
    FROM _fit_inputs d WHERE NOT EXISTS (
        SELECT 1 FROM datasets x WHERE x.fingerprint = d.fingerprint)
    GROUP BY fingerprint""",
    """INSERT INTO lineage_edges
    SELECT 'dataset', fingerprint, 'fit', id, 'fitted_on', role, run_id, ts, id
    FROM _fit_inputs""",
    # the cell that called fit: its event may come in this batch or an earlier one, and so
    # may the fit's; a pair is linked in the batch that holds the second of the two
    """INSERT INTO lineage_edges
    SELECT 'cell', c.event_id, 'fit', f.id, 'called', NULL, f.run_id, f.created, f.id
    FROM fits f JOIN cells c ON c.run_id = f.run_id AND c.seq = f.cell_seq
    WHERE f.id IN (SELECT id FROM _new WHERE type = 'fit')
       OR c.event_id IN (SELECT id FROM _new WHERE type = 'cell')""",
    # jobs, schedules, requests to the scheduler, and the runs they link
    f"""INSERT INTO jobs BY NAME
    SELECT run_id, p->>'notebook' AS notebook, p->>'notebook_sha' AS notebook_sha,
           CAST(p->'params' AS VARCHAR) AS params, p->>'schedule' AS schedule,
           p->>'trigger' AS trigger, p->>'request' AS request,
           p->>'reproduces' AS reproduces, p->>'parent_run' AS parent_run,
           p->>'executor' AS executor, TRY_CAST(p->>'timeout_s' AS DOUBLE) AS timeout_s,
           {_TS.format("TRY_CAST(p->>'scheduled_for' AS DOUBLE)")} AS scheduled_for,
           p->>'host' AS host, TRY_CAST(p->>'pid' AS INTEGER) AS pid,
           TRY_CAST(p->>'pid_started' AS DOUBLE) AS pid_started, ts AS started,
           'running' AS status, p->>'output' AS output
    FROM _new WHERE type = 'job_started'""",
    f"""INSERT INTO job_claims BY NAME
    SELECT run_id, p->>'schedule' AS schedule,
           {_TS.format("TRY_CAST(p->>'scheduled_for' AS DOUBLE)")} AS scheduled_for,
           p->>'request' AS request, p->>'host' AS host, TRY_CAST(p->>'pid' AS INTEGER) AS pid,
           TRY_CAST(p->>'pid_started' AS DOUBLE) AS pid_started, ts AS claimed
    FROM _new WHERE type = 'job_claimed'""",
    """INSERT INTO schedule_events
    SELECT id, p->>'name', CAST(p->'state' AS VARCHAR),
           coalesce(TRY_CAST(p->>'removed' AS BOOLEAN), false), ts
    FROM _new WHERE type = 'schedule'""",
    """INSERT INTO job_requests
    SELECT id, p->>'schedule', CAST(p->'params' AS VARCHAR), p->>'parent_run', ts
    FROM _new WHERE type = 'job_requested'""",
    """INSERT INTO lineage_edges
    SELECT src_kind, src_id, 'run', run_id, relation, NULL, run_id, ts, id FROM (
        SELECT 'schedule' AS src_kind, p->>'schedule' AS src_id, 'scheduled' AS relation, *
        FROM _new WHERE type = 'job_started'
        UNION ALL BY NAME
        SELECT 'run' AS src_kind, p->>'parent_run' AS src_id, 'triggered' AS relation, *
        FROM _new WHERE type = 'job_started'
        UNION ALL BY NAME
        SELECT 'run' AS src_kind, p->>'reproduces' AS src_id, 'reproduced_by' AS relation, *
        FROM _new WHERE type = 'job_started')
    WHERE src_id IS NOT NULL""",
    # updates: the latest event of each kind per run wins
    """UPDATE runs SET experiment = u.experiment
    FROM (SELECT run_id, arg_max(p->>'experiment', id) AS experiment FROM _new
          WHERE type = 'run_updated' GROUP BY run_id) u
    WHERE runs.id = u.run_id""",
    """UPDATE runs SET env_id = u.q->>'env_id', git_commit = u.q->>'git_commit',
                      git_dirty = TRY_CAST(u.q->>'git_dirty' AS BOOLEAN),
                      notebook_hash = coalesce(u.q->>'notebook_hash', runs.notebook_hash)
    FROM (SELECT run_id, arg_max(p, id) AS q FROM _new
          WHERE type = 'run_environment' GROUP BY run_id) u
    WHERE runs.id = u.run_id""",
    """UPDATE runs SET status = u.status, ended = u.ended
    FROM (SELECT run_id, arg_max(coalesce(p->>'status', 'finished'), id) AS status,
                 arg_max(ts, id) AS ended
          FROM _new WHERE type = 'run_ended' GROUP BY run_id) u
    WHERE runs.id = u.run_id""",
    """UPDATE jobs SET status = u.q->>'status', reason = u.q->>'reason', ended = u.ts,
                      failed_cell = TRY_CAST(u.q->>'failed_cell' AS INTEGER),
                      error_type = u.q->>'error_type', error_message = u.q->>'error_message',
                      traceback = u.q->>'traceback',
                      output = coalesce(u.q->>'output', jobs.output),
                      output_sha = u.q->>'output_sha'
    FROM (SELECT run_id, arg_max(p, id) AS q, arg_max(ts, id) AS ts FROM _new
          WHERE type = 'job_ended' GROUP BY run_id) u
    WHERE jobs.run_id = u.run_id""",
    """UPDATE job_claims SET ended = u.ts
    FROM (SELECT run_id, max(ts) AS ts FROM _new WHERE type = 'job_ended' GROUP BY run_id) u
    WHERE job_claims.run_id = u.run_id AND job_claims.ended IS NULL""",
    """UPDATE runs SET last_event = u.ts FROM _last u
    WHERE runs.id = u.run_id AND (runs.last_event IS NULL OR runs.last_event < u.ts)""",
]


def apply_chunks(con: duckdb.DuckDBPyConnection) -> tuple[int, int, list[tuple[int, int]]]:
    """Apply the events in the registered ``_chunks`` view.

    Returns (events applied, duplicates skipped, (chunk, line number) of lines that are not
    events, line numbers counting from 1).
    """
    run(con, SPLIT)
    run(con, PARSE)
    corrupt = [(r[0], r[1]) for r in run(
        con, "SELECT chunk, idx FROM _lines ANTI JOIN _incoming USING (chunk, idx) "
        "ORDER BY chunk, idx")]
    run(con, DEDUPE)
    if scalar(con, "SELECT count(*) - count(DISTINCT id) FROM _new"):
        run(con, DEDUPE_BATCH)
    valid = scalar(con, "SELECT count(*) FROM _incoming")
    new = scalar(con, "SELECT count(*) FROM _new")
    if new:
        for statement in APPLY:
            run(con, statement)
    return new, valid - new, corrupt
