"""Lineage: datasets and the edges between cells, data, fits, models, reports and runs.

Every domain writes its own edges into ``lineage_edges``; this one owns the tables and the
one edge that joins two domains' events: the cell that called a fit.
"""

from __future__ import annotations

from ... import events as ev
from .base import Domain, events_table

_CELL, _FIT = events_table(ev.CELL), events_table(ev.FIT)

DOMAIN = Domain(
    name="lineage",
    migrations={
        1: """
        CREATE TABLE datasets (
            fingerprint VARCHAR, kind VARCHAR, shape BIGINT[], schema VARCHAR, nbytes BIGINT,
            first_seen TIMESTAMP);
        CREATE TABLE lineage_edges (
            src_kind VARCHAR, src_id VARCHAR, dst_kind VARCHAR, dst_id VARCHAR,
            relation VARCHAR, name VARCHAR, run_id VARCHAR, ts TIMESTAMP, event_id VARCHAR);
        """,
        # 4: the lineage graph as queried: recorded edges, plus each fit's calling cell
        4: """
        CREATE VIEW lineage AS
        SELECT src_kind, src_id, dst_kind, dst_id, relation, name FROM lineage_edges
        UNION ALL
        SELECT 'cell', c.event_id, 'fit', f.id, 'called', NULL
        FROM fits f JOIN cells c ON c.run_id = f.run_id AND c.seq = f.cell_seq;
        """,
        # 5: cell -> fit edges become rows (ingest writes them from whichever event comes
        # second), so walks do not re-join fits and cells at every step
        5: """
        INSERT INTO lineage_edges
        SELECT 'cell', c.event_id, 'fit', f.id, 'called', NULL, f.run_id, f.created, f.id
        FROM fits f JOIN cells c ON c.run_id = f.run_id AND c.seq = f.cell_seq;
        CREATE OR REPLACE VIEW lineage AS
        SELECT src_kind, src_id, dst_kind, dst_id, relation, name FROM lineage_edges;
        """,
        # 10: a cell reads and writes data, as its fields say
        10: """
        UPDATE lineage_edges SET relation = 'reads' WHERE relation = 'read';
        UPDATE lineage_edges SET relation = 'writes' WHERE relation = 'wrote';
        """,
    },
    inserts=[
        # the cell that called fit: its event may come in this batch or an earlier one, and
        # so may the fit's; a pair is linked in the batch that holds the second of the two
        f"""INSERT INTO lineage_edges
        SELECT 'cell', c.event_id, 'fit', f.id, 'called', NULL, f.run_id, f.created, f.id
        FROM fits f JOIN cells c ON c.run_id = f.run_id AND c.seq = f.seq
        WHERE f.id IN (SELECT id FROM {_FIT}) OR c.event_id IN (SELECT id FROM {_CELL})""",
    ],
)
