"""The REST API's cell history: one cell's executions across runs and jobs, and a run's cells
that became slower or started failing, each with its executions (the sidebar's run detail)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..store.queries import cell_history, flagged_cells
from ..store.queries.cell_history import RULE
from . import schemas as S
from .endpoint import MAX_PAGE, RUN_ID_PARAM, Endpoint
from .params import Param
from .values import records

if TYPE_CHECKING:
    from .service import Service

#: Most executions of a cell sent with it (the newest, up to the run's).
POINTS = 30

_FLAG = {"type": "string", "enum": ["slower", "failing", None], "nullable": True,
         "description": f"{RULE}; else null"}
_EXECUTION = S.obj(["run_id", "started", "duration_ms", "status", "flag"], run_id=S.STR,
                   kind=S.RUN_KIND, started=S.NSTR, duration_ms=S.NNUM, status=S.NSTR,
                   flag=_FLAG)
CELL_HISTORY = S.obj(["run_id", "cells"], run_id=S.STR, cells=S.array(S.obj(
    ["seq", "cell_id", "source", "status", "duration_ms", "median_ms", "flag", "executions",
     "history"],
    seq=S.INT, cell_id=S.NSTR, source=S.STR, status=S.NSTR, duration_ms=S.NNUM,
    median_ms=S.NNUM, flag=_FLAG, executions=S.INT, history=S.array(_EXECUTION))))

ONE_CELL = S.obj(["cell", "executions"], cell=S.STR, executions=S.array(S.obj(
    ["run_id", "seq", "started", "duration_ms", "status", "median_ms", "flag"],
    run_id=S.STR, seq=S.INT, cell_id=S.NSTR, kind=S.RUN_KIND, schedule=S.NSTR,
    started=S.NSTR, duration_ms=S.NNUM, status=S.NSTR, error_type=S.NSTR, median_ms=S.NNUM,
    flag=_FLAG)))


def _one_cell(service: Service, args: dict[str, Any]) -> Any:
    found = cell_history(service.store, args["cell"], args["limit"])
    return {"cell": args["cell"], "executions": records(found)}


def _cell_history(service: Service, args: dict[str, Any]) -> Any:
    run_id, cells, history = flagged_cells(service.store, args["run_id"],
                                           every=args["cells"] == "all", points=POINTS)
    by_seq: dict[int, list[dict[str, Any]]] = {}
    for execution in records(history):
        by_seq.setdefault(execution.pop("seq"), []).append(execution)
    found = records(cells)
    for cell in found:
        cell["history"] = by_seq.get(cell["seq"], [])
    return {"run_id": run_id, "cells": found}


CELL_ENDPOINTS = [
    Endpoint("GET", "/cells/history", "Every execution of one cell across runs and jobs, "
             "oldest first, with the median of its recent executions and its flag.",
             _one_cell, ONE_CELL,
             params=(Param("cell", "the notebook's cell id, or RUN/SEQ", required=True),
                     Param("limit", "only the newest executions", type="integer", minimum=1,
                           maximum=100_000, default=MAX_PAGE)),
             errors=(400, 404, 503)),
    Endpoint("GET", "/runs/{run_id}/cells/history", "The run's cells flagged as slower or "
             "failing (or all its cells), each with its executions across runs and jobs up to "
             f"this run (the newest {POINTS}), matched by notebook cell id, else by source.",
             _cell_history, CELL_HISTORY,
             params=(RUN_ID_PARAM, Param("cells", "only the flagged cells, or all of them",
                                         enum=("flagged", "all"), default="flagged")),
             errors=(400, 404, 503)),
]
