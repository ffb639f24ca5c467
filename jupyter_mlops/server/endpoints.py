"""The REST API, one :class:`Endpoint` per route: its parameters, what it answers, and how.

This table is the router (handlers.py), the OpenAPI document (openapi.py) and docs/rest.md
at once, so they cannot disagree. Each ``call`` runs in a worker thread (it may open
DuckDB) and returns plain JSON values. Adding an endpoint is one entry here, its schemas in
``schemas.py`` and, if it needs one, a query in ``store.queries``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..events import RUN_KINDS, RUN_STATUSES
from ..exceptions import BadParameter, NotFound
from ..registry import MAX_VERSION
from ..store import names, queries
from . import schemas as S
from .alert_endpoints import ALERT_ENDPOINTS
from .artifact_endpoints import ARTIFACT_ENDPOINTS
from .cell_endpoints import CELL_ENDPOINTS
from .endpoint import MAX_COMPARE, MAX_PAGE, MODEL_PARAM, RUN_ID_PARAM, Endpoint
from .job_endpoints import JOB_ENDPOINTS
from .params import RUN_ID, Param, decode_cursor, encode_cursor
from .performance_endpoints import PERFORMANCE_ENDPOINTS
from .scoring_endpoints import SCORING_ENDPOINTS
from .sorted_endpoint import sorted_runs
from .values import jsonable, records

if TYPE_CHECKING:
    from .service import Service

def _experiments(service: Service, args: dict[str, Any]) -> Any:
    return {"experiments": records(queries.experiments(service.store))}


def _runs(service: Service, args: dict[str, Any]) -> Any:
    limit, order = args["limit"], args["order"]
    if order.lstrip("-") != "started":
        return sorted_runs(service, args)
    page = queries.runs_page(
        service.store, experiment=args["experiment"], status=args["status"],
        kind=args["kind"], q=args["q"], oldest_first=order == "started", limit=limit + 1,
        after=None if args["cursor"] is None else decode_cursor(args["cursor"]))
    more = len(page) > limit
    page = page[:limit]
    cursor = encode_cursor(page[-1]["started"], page[-1]["run_id"]) if more else None
    return {"runs": jsonable(page), "next_cursor": cursor}


def _compare(service: Service, args: dict[str, Any]) -> Any:
    ids = [i for i in args["ids"].split(",") if i]
    if not ids or len(ids) > MAX_COMPARE:
        raise BadParameter(f"ids takes 1 to {MAX_COMPARE} comma-separated run ids, "
                           f"got {len(ids)}")
    for run_id in ids:
        RUN_ID_PARAM.parse(run_id)
    found = queries.runs_by_id(service.store, ids)
    return {"runs": jsonable(found),
            "params": sorted({k for r in found for k in r["params"]}),
            "metrics": sorted({k for r in found for k in r["metrics"]})}


def _run(service: Service, args: dict[str, Any]) -> Any:
    return jsonable(queries.run(service.store, args["run_id"]))


def _delete_run(service: Service, args: dict[str, Any]) -> Any:
    from ..retention import delete_run

    return {"run_id": delete_run(args["run_id"], by=args["user"], store=service.store,
                                 reason="deleted through the REST API")}


def _diff(service: Service, args: dict[str, Any]) -> Any:
    from ..comparison import diff_on

    found = diff_on(service.store, args["run_id"], args["other"], args["metric"])
    return jsonable(found.to_dict())


def _cells(service: Service, args: dict[str, Any]) -> Any:
    found = records(queries.cells(service.store, args["run_id"]))
    for cell in found:
        cell["label"] = names.cell_label(cell["seq"], cell["source"])
    return {"cells": found}


def _metric(service: Service, args: dict[str, Any]) -> Any:
    frame = queries.metric_history(service.store, args["run_id"], args["key"])
    if frame.empty:
        raise NotFound(f"run {args['run_id']!r} has no metric {args['key']!r}. "
                       f"GET runs/{args['run_id']} lists its metrics.")
    return {"key": args["key"], "history": records(frame)}


def _models(service: Service, args: dict[str, Any]) -> Any:
    versions = _versions_of(service, None)
    models: dict[str, dict[str, Any]] = {}
    for v in versions:
        model = models.setdefault(v["name"], {"name": v["name"], "latest": v["version"],
                                              "versions": 0, "aliases": {}})
        model["versions"] += 1
        model["aliases"].update(dict.fromkeys(v["aliases"], v["version"]))
    return {"models": list(models.values())}


def _versions_of(service: Service, name: str | None) -> list[dict[str, Any]]:
    found = records(queries.models(service.store))
    for v in found:
        v["metrics"] = json.loads(v["metrics"] or "{}")
        v["aliases"] = v["aliases"] or []
        v["label"] = names.version_label(v["name"], v["version"], v["aliases"])
    return [v for v in found if name is None or v["name"] == name]


def _versions(service: Service, args: dict[str, Any]) -> Any:
    versions = _versions_of(service, args["name"])
    if not versions:
        raise NotFound(f"no model named {args['name']!r}. GET models lists them.")
    signatures = queries.signatures(service.store, args["name"])
    for v in versions:
        v["signature"] = signatures.get(v["version"])
    history = records(queries.alias_history(service.store, args["name"]))
    for h in history:
        h["gate"] = json.loads(h["gate"] or "{}")
    return {"name": args["name"], "versions": versions, "alias_history": history}


def _promote(service: Service, args: dict[str, Any]) -> Any:
    body = args["body"]  # checked against the declared schema, defaults filled in
    done = service.promote(args["name"], body["version"], body["alias"],
                           body.get("gate", {}), args["user"])
    return {"name": done.name, "version": done.version, "aliases": done.aliases}


def _lineage(service: Service, args: dict[str, Any]) -> Any:
    return service.lineage(args["node"], args["kind"], args["direction"], args["depth"])


def _drift_reports(service: Service, args: dict[str, Any]) -> Any:
    return {"reports": records(queries.drift_reports(service.store, args["limit"]))}


def _drift_report(service: Service, args: dict[str, Any]) -> Any:
    header, columns = queries.drift_report(service.store, args["report_id"])
    rows = records(columns)
    for row in rows:
        row["histogram"] = json.loads(row.pop("detail") or "null")
    return {"report": jsonable(header), "columns": rows}


def _health(service: Service, args: dict[str, Any]) -> Any:
    return jsonable({**queries.health(service.store), **service.ingest_status()})


ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/experiments", "Experiments with their run counts, latest first.",
             _experiments, S.EXPERIMENTS),
    Endpoint("GET", "/runs", "Runs with their latest params and metrics, one page at a time.",
             _runs, S.obj(["runs", "next_cursor"], runs=S.array(S.RUN), next_cursor=S.NSTR),
             params=(Param("experiment", "only runs of this experiment"),
                     Param("status", "only runs with this status", enum=RUN_STATUSES),
                     Param("kind", "only runs of this kind", enum=RUN_KINDS),
                     Param("q", "a run id prefix, or part of the run, experiment or notebook name"),
                     Param("order", "the column to sort by, `-` first for descending: "
                           f"{', '.join(queries.SORTABLE)}, params.KEY or metrics.KEY "
                           "(runs without the key last)", default="-started"),
                     Param("limit", "runs per page", type="integer", minimum=1,
                           maximum=MAX_PAGE, default=50),
                     Param("cursor", "next_cursor of the previous page"))),
    Endpoint("GET", "/runs/compare", "Several runs side by side, with the union of their keys.",
             _compare, S.obj(["runs", "params", "metrics"], runs=S.array(S.RUN),
                             params=S.array(S.STR), metrics=S.array(S.STR)),
             params=(Param("ids", f"1 to {MAX_COMPARE} comma-separated run ids (or unique "
                                  f"prefixes)", required=True),), errors=(400, 404, 503)),
    Endpoint("GET", "/runs/{run_id}", "One run: params, metrics, environment, git.",
             _run, S.ONE_RUN, params=(RUN_ID_PARAM,), errors=(400, 404, 503)),
    Endpoint("DELETE", "/runs/{run_id}", "Delete a run and the files only it references, "
             "recorded as an event with who asked (409: it is running, or a model version "
             "references it).", _delete_run, S.obj(["run_id"], run_id=S.STR),
             params=(RUN_ID_PARAM,), errors=(400, 404, 409, 503), cached=False),
    Endpoint("GET", "/runs/{run_id}/cells", "A run's executed cells in order, with their "
             "nbformat cell ids, source, timing, status, and the names each read and wrote.",
             _cells, S.CELLS, params=(RUN_ID_PARAM,), errors=(400, 404, 503)),
    *CELL_ENDPOINTS,
    Endpoint("GET", "/runs/{run_id}/diff/{other}", "Why run `other` differs from this run, "
             "in order: params, cells added, removed or edited (unified source diffs), the "
             "first dataset whose fingerprint differs and the cells that produced it, "
             "environment and packages, git; with metric, only that metric's slice.",
             _diff, S.DIFF,
             params=(RUN_ID_PARAM, Param("other", "the run compared with this one (id or unique "
                                             "prefix)", where="path", pattern=RUN_ID),
                     Param("metric", "report only what lies on this metric's slice")),
             errors=(400, 404, 503)),
    Endpoint("GET", "/runs/{run_id}/metrics/{key}", "Every logged value of one metric.",
             _metric, S.METRIC,
             params=(RUN_ID_PARAM, Param("key", "the metric's name", where="path")),
             errors=(400, 404, 503)),
    Endpoint("GET", "/models", "Registered models: version count, latest version, aliases.",
             _models, S.MODELS),
    Endpoint("GET", "/models/{name}/versions", "A model's versions and its alias history.",
             _versions, S.VERSIONS, params=(MODEL_PARAM,), errors=(400, 404, 503)),
    Endpoint("POST", "/models/{name}/aliases", "Point an alias at a version, through the "
             "gate: a refusal is a 409 naming the failing condition, and changes nothing.",
             _promote, S.PROMOTED, params=(MODEL_PARAM,), errors=(400, 404, 409, 503),
             cached=False,
             body=S.closed(["version"], version={"type": "integer", "minimum": 1,
                                                 "maximum": MAX_VERSION},
                           alias={"type": "string", "default": "champion"},
                           gate={"type": "object", "additionalProperties": S.STR})),
    Endpoint("GET", "/lineage", "The provenance graph around a node: nodes (kind, id, signed "
             "distance) and the recorded edges between them.",
             _lineage, S.GRAPH,
             params=(Param("node", "name@alias, name:version, a run id (prefix), or with kind "
                                   "any node id", required=True),
                     Param("kind", "the node's kind, when node is a raw id",
                           enum=("dataset", "cell", "fit", "run", "model_version", "alias",
                                 "drift_report")),
                     Param("direction", "ancestors (up), descendants (down) or both",
                           enum=("up", "down", "both"), default="both"),
                     Param("depth", "how many edges away", type="integer", minimum=1,
                           maximum=50, default=5)),
             errors=(400, 404, 503)),
    Endpoint("GET", "/drift/reports", "Recent drift reports, newest first.",
             _drift_reports, S.REPORTS,
             params=(Param("limit", "how many reports", type="integer", minimum=1,
                           maximum=MAX_PAGE, default=50),)),
    Endpoint("GET", "/drift/reports/{report_id}", "One drift report: per-column results and "
             "the reference and current histograms to draw.",
             _drift_report, S.ONE_REPORT,
             params=(Param("report_id", "a drift report id or a unique prefix",
                           where="path", pattern=RUN_ID),), errors=(400, 404, 503)),
    *JOB_ENDPOINTS,
    *SCORING_ENDPOINTS,
    *ARTIFACT_ENDPOINTS,
    *ALERT_ENDPOINTS,
    *PERFORMANCE_ENDPOINTS,
    Endpoint("GET", "/health", "Where the store is, its schema version, pending spool bytes "
             "and the last ingest.", _health, S.HEALTH, cached=False),
]
