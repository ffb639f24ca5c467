"""Retention: tombstones of deleted runs and of freed files (see docs/retention.md).

A deleted run is an event (``run_deleted``), so the deletion is audited and a rebuild
from the events reaches the same state: applying it removes the run's rows from every
table that holds them. A model version, the alias moves and their lineage are never
removed here (gc refuses to delete a run a version references; an alias may be moved by
another run). ``files_freed`` records the blobs and job folders gc removes after the
tombstones are committed, so a gc killed in between finishes the next time.

The removal runs for every batch, not only for one that carries a tombstone: a rebuild
applies the spool files in the order their writers started, so a run's late events may
come in a later batch than the tombstone a long-lived server wrote. ``_last`` (the runs
this batch touched) keeps it to the runs concerned; with none, each statement is a join
with an empty side.
"""

from __future__ import annotations

from ... import events as ev
from .base import Domain, events_table

_DELETED, _FREED = events_table(ev.RUN_DELETED), events_table(ev.FILES_FREED)

#: The runs to remove in this batch: tombstoned, and touched by it (or by an earlier one).
_GONE = "(SELECT run_id FROM _gone)"

#: Table -> the condition on its rows that belong to a removed run.
CASCADE: dict[str, str] = {
    "runs": f"id IN {_GONE}",
    "cells": f"run_id IN {_GONE}",
    "params": f"run_id IN {_GONE}",
    "metrics": f"run_id IN {_GONE}",
    "fits": f"run_id IN {_GONE}",
    "artifact_files": f"event_id IN (SELECT event_id FROM artifacts WHERE run_id IN {_GONE})",
    "artifacts": f"run_id IN {_GONE}",
    "jobs": f"run_id IN {_GONE}",
    "job_claims": f"run_id IN {_GONE}",
    "drift_columns": f"report_id IN (SELECT id FROM drift_reports WHERE run_id IN {_GONE})",
    "drift_reports": f"run_id IN {_GONE}",
    # a version's and an alias's edges stay: the registry's history is never removed
    "lineage_edges": f"""(run_id IN {_GONE} OR (src_kind = 'run' AND src_id IN {_GONE})
                          OR (dst_kind = 'run' AND dst_id IN {_GONE}))
                         AND dst_kind NOT IN ('model_version', 'alias')""",
}

DOMAIN = Domain(
    name="retention",
    payloads={
        ev.RUN_DELETED: {"by": "VARCHAR", "reason": "VARCHAR"},
        ev.FILES_FREED: {"by": "VARCHAR", "reason": "VARCHAR",
                         "files": [{"kind": "VARCHAR", "ref": "VARCHAR", "size": "BIGINT"}]},
    },
    migrations={
        11: """
        CREATE TABLE run_deletions (
            event_id VARCHAR, run_id VARCHAR, deleted_by VARCHAR, reason VARCHAR,
            ts TIMESTAMP);
        CREATE TABLE freed_files (
            event_id VARCHAR, kind VARCHAR, ref VARCHAR, size BIGINT, freed_by VARCHAR,
            reason VARCHAR, ts TIMESTAMP);
        """,
    },
    inserts=[
        f"""INSERT INTO run_deletions
        SELECT id, run_id, "by", reason, ts FROM {_DELETED} WHERE run_id IS NOT NULL""",
        f"""INSERT INTO freed_files
        SELECT id, f.kind, f.ref, f.size, "by", reason, ts
        FROM (SELECT id, "by", reason, ts, unnest(files) AS f FROM {_FREED})
        WHERE f.ref IS NOT NULL""",
    ],
    updates=[
        """CREATE OR REPLACE TEMP TABLE _gone AS
        SELECT DISTINCT run_id FROM run_deletions SEMI JOIN _last USING (run_id)""",
        *(f"DELETE FROM {table} WHERE {where}" for table, where in CASCADE.items()),
    ],
)
