"""Read API: pandas DataFrames over the store, gathered from the domains that answer them.

Each call ingests pending spool first (so a kernel sees its own cells), then reads under
the shared store lock through a read-only connection that is closed before returning.
All user input reaches SQL as bound parameters; timestamps are tz-aware UTC. The queries
of each domain are in this package (``queries/<domain>.py``), beside the declarations of
what it writes (``domains/<domain>.py``); shared helpers in :mod:`..read`.
"""

from __future__ import annotations

from ..read import MIN_PREFIX, reading, refresh, resolve_run
from ..state import health
from .alerts import alert_history, alert_outbox
from .artifacts import artifact, artifacts
from .bundles import known_events, lineage_members
from .cell_history import cell_history, flagged_cells
from .cells import (
    cell_data,
    cell_position,
    cells,
    dataflow_cells,
    fits,
    resolve_cell,
)
from .contracts import contract_body, contract_checks
from .drift import drift_columns, drift_report, drift_reports, profile_body
from .jobs import job, jobs, open_claims, pending_requests, schedules, slot_taken
from .lineage import fit_cell, node_labels, run_nodes
from .models import alias_history, alias_targets, models, signatures
from .performance import performance_history, performance_reference
from .runs import (
    experiments,
    metric_histories,
    metric_history,
    run,
    run_id_of,
    runs,
    runs_by_id,
    runs_page,
    runs_table,
    summary,
)
from .sorted_runs import SORTABLE, runs_sorted

__all__ = [
    "MIN_PREFIX", "SORTABLE", "alert_history", "alert_outbox", "alias_history", "alias_targets",
    "artifact", "artifacts", "cell_data", "cell_history", "cell_position", "cells",
    "contract_body", "contract_checks",
    "dataflow_cells", "drift_columns", "drift_report", "drift_reports", "experiments",
    "fit_cell", "fits", "flagged_cells", "health", "job", "jobs", "known_events",
    "lineage_members", "metric_histories", "metric_history", "models", "node_labels",
    "open_claims", "pending_requests", "performance_history", "performance_reference",
    "profile_body", "reading", "refresh", "resolve_cell", "resolve_run", "run", "run_id_of",
    "run_nodes", "runs", "runs_by_id",
    "runs_page", "runs_sorted", "runs_table", "schedules", "signatures", "slot_taken", "summary",
]
