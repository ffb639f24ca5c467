"""Reads for comparing two runs (``mlops.diff``): everything about each run in one connection,
as plain records, so two 500-cell runs compare in milliseconds."""

from __future__ import annotations

import json
from typing import Any

from .. import Store, db
from ..read import decode, reading, resolve_run
from ..recent import RUN_COLUMNS


def run_state(store: Store, run_ids: list[str]) -> list[dict[str, Any]]:
    """For each run (id or unique prefix): its row (git, environment id), latest params with
    the cell that logged each, environment, cells in order, the data each cell read and
    wrote, and the cell that last logged each metric."""
    with reading(store) as con:
        return [_state(con, resolve_run(con, r)) for r in run_ids]


def _state(con: Any, run_id: str) -> dict[str, Any]:
    cursor = con.execute(f"SELECT {RUN_COLUMNS} FROM runs r WHERE r.id = ?", [run_id])
    names = [c[0] for c in cursor.description]
    row = dict(zip(names, cursor.fetchall()[0], strict=True))
    # the latest value of each key (as :func:`..sql.latest` defines it) and its cell
    params, metrics = (db.run(con, f"""SELECT key, arg_max(value, event_id),
                                              arg_max(seq, event_id)
                                       FROM {table} WHERE run_id = ? GROUP BY key""", [run_id])
                       for table in ("params", "metrics"))
    envs = db.run(con, "SELECT python, platform, hostname, kernel, packages FROM environments "
                       "WHERE id = ?", [row["env_id"]])
    cells = db.run(con, """SELECT seq, cell_id, source, source_hash, status, reads, writes,
                                  statements, event_id
                           FROM cells WHERE run_id = ? ORDER BY seq, event_id""", [run_id])
    data = db.run(con, """SELECT c.seq, e.relation, e.name,
                                 CASE e.relation WHEN 'reads' THEN e.src_id ELSE e.dst_id END,
                                 d.shape
                          FROM lineage_edges e JOIN cells c ON c.event_id = e.event_id
                          LEFT JOIN datasets d ON d.fingerprint = CASE e.relation
                               WHEN 'reads' THEN e.src_id ELSE e.dst_id END
                          WHERE e.run_id = ? AND e.relation IN ('reads', 'writes')
                          ORDER BY c.seq, e.relation, e.name""", [run_id])
    env = None
    if envs:
        python, platform, hostname, kernel, packages = envs[0]
        env = {"python": python, "platform": platform, "hostname": hostname,
               "kernel": kernel, "packages": json.loads(packages or "{}")}
    return {
        "run": row,
        "params": {k: (decode(v), seq) for k, v, seq in params},
        "metrics": {k: (value, seq) for k, value, seq in metrics},
        "environment": env,
        "cells": [dict(zip(("seq", "cell_id", "source", "source_hash", "status", "reads",
                            "writes", "statements", "event_id"), c, strict=True))
                  for c in cells],
        "data": [{"seq": seq, "relation": rel, "name": name, "fingerprint": fp,
                  "shape": None if shape is None else list(shape)}
                 for seq, rel, name, fp, shape in data],
    }
