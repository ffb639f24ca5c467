"""JSON schemas of what the endpoints answer and accept, for the endpoint table.

Kept apart from the table so that it reads as routes; the OpenAPI document carries these
schemas as they are written here, and POST bodies are validated against them.
"""

from __future__ import annotations

from typing import Any

from ..events import JOB_STATUSES, RUN_KINDS, RUN_STATUSES
from ..exceptions import BadParameter


def obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


def closed(required: list[str], **properties: Any) -> dict[str, Any]:
    """A request body: fields it does not name are refused, and the schema says so."""
    return {**obj(required, **properties), "additionalProperties": False}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


INT: dict[str, Any] = {"type": "integer"}
BOOL: dict[str, Any] = {"type": "boolean"}
STR: dict[str, Any] = {"type": "string"}
NSTR: dict[str, Any] = {"type": "string", "nullable": True}
NINT: dict[str, Any] = {"type": "integer", "nullable": True}
NNUM: dict[str, Any] = {"type": "number", "nullable": True}
NBOOL: dict[str, Any] = {"type": "boolean", "nullable": True}
MAP: dict[str, Any] = {"type": "object", "additionalProperties": True}
NMAP: dict[str, Any] = {**MAP, "nullable": True}

#: Named schemas the document lists under components (the sidebar's generated types name
#: them), and references to them.
COMPONENTS: dict[str, dict[str, Any]] = {
    "JobStatus": {"type": "string", "enum": list(JOB_STATUSES),
                  "description": "running, then how the job ended"},
    "RunStatus": {"type": "string", "enum": list(RUN_STATUSES),
                  "description": "running, finished or died (interactive); a job's status (jobs)"},
    "RunKind": {"type": "string", "enum": list(RUN_KINDS)},
}
JOB_STATUS = {"$ref": "#/components/schemas/JobStatus"}
RUN_STATUS = {"$ref": "#/components/schemas/RunStatus"}
RUN_KIND = {"$ref": "#/components/schemas/RunKind"}

RUN = obj(["run_id", "name", "experiment", "status", "started", "params", "metrics"],
          run_id=STR, name=NSTR, experiment=NSTR, kind=RUN_KIND, status=RUN_STATUS, started=NSTR,
          ended=NSTR, duration_s=NNUM, notebook=NSTR, git_commit=NSTR, cells=NINT,
          user=NSTR, host=NSTR, params=MAP,
          metrics={"type": "object", "additionalProperties": NNUM})
ONE_RUN = obj(["run_id", "params", "metrics", "environment"],
              **{**RUN["properties"], "metrics": MAP}, environment=NMAP)
EXPERIMENTS = obj(["experiments"], experiments=array(
    obj(["name", "runs"], name=STR, runs=INT, created=NSTR, last_run=NSTR)))
CELLS = obj(["cells"], cells=array(obj(
    ["seq", "label", "event_id", "cell_id", "status", "source", "reads", "writes"],
    seq=INT, label=STR, event_id=STR, cell_id=NSTR, execution_count=NINT, status=NSTR,
    duration_ms=NNUM, started=NSTR, source=NSTR, reads=array(STR), writes=array(STR),
    error_type=NSTR, error_message=NSTR)))
METRIC = obj(["key", "history"], key=STR, history=array(obj(
    ["value"], step=NINT, value=NNUM, ts=NSTR, seq=NINT)))
GRAPH = obj(["nodes", "edges"],
            nodes=array(obj(["kind", "id", "depth", "label"], kind=STR, id=STR, depth=INT,
                            label=STR)),
            edges=array(obj(["source", "target", "relation"], source=array(STR),
                            target=array(STR), relation=NSTR)))
ANY: dict[str, Any] = {"nullable": True}  # a param's value: any JSON
_SIDES = {"a": ANY, "b": ANY}
DIFF = obj(
    ["run_a", "run_b", "metric", "values", "params", "cells", "data", "environment",
     "packages", "git"],
    run_a=STR, run_b=STR, metric=NSTR, values={**array(NNUM), "nullable": True},
    params=array(obj(["key", "a", "b"], key=STR, seq_a=NINT, seq_b=NINT, **_SIDES)),
    cells=array(obj(["change", "seq_a", "seq_b", "diff"],
                    change={"type": "string", "enum": ["added", "removed", "edited", "status"]},
                    seq_a=NINT, seq_b=NINT, cell_id=NSTR, status_a=NSTR, status_b=NSTR,
                    diff=STR)),
    data={**obj(["name", "relation", "fingerprint_a", "fingerprint_b"], name=STR,
                relation=STR, seq_a=INT, seq_b=INT, fingerprint_a=STR, fingerprint_b=STR,
                shape_a={**array(INT), "nullable": True},
                shape_b={**array(INT), "nullable": True}, producer_a=NINT, producer_b=NINT,
                same_source=BOOL), "nullable": True},
    environment={"type": "object", "additionalProperties": obj(["a", "b"], **_SIDES)},
    packages=array(obj(["name", "a", "b"], name=STR, a=NSTR, b=NSTR)),
    git={"type": "object", "additionalProperties": obj(["a", "b"], **_SIDES)})
MODELS = obj(["models"], models=array(obj(
    ["name", "latest", "versions", "aliases"], name=STR, latest=INT, versions=INT,
    aliases={"type": "object", "additionalProperties": INT})))
VERSION = obj(["name", "version", "label", "aliases", "metrics"], name=STR, version=INT,
              label=STR, aliases=array(STR), metrics=MAP, flavor=NSTR, run_id=NSTR, created=NSTR,
              user=NSTR, host=NSTR, signature=NMAP)
#: One move of an alias: ``set_by`` as the promoter named themselves, ``user`` and ``host``
#: the process that recorded it (null for moves recorded before schema 12).
ALIAS_MOVE = obj(["alias", "version"], alias=STR, version=INT, previous=NINT, set_by=NSTR,
                 gate=NMAP, created=NSTR, user=NSTR, host=NSTR)
VERSIONS = obj(["name", "versions", "alias_history"], name=STR, versions=array(VERSION),
               alias_history=array(ALIAS_MOVE))
PROMOTED = obj(["name", "version", "aliases"], name=STR, version=INT, aliases=array(STR))
REPORT = obj(["id", "created"], id=STR, created=NSTR, method=NSTR, columns_compared=NINT,
             columns_drifted=NINT, share_drifted=NNUM, dataset_drift=NBOOL)
REPORTS = obj(["reports"], reports=array(REPORT))
ONE_REPORT = obj(["report", "columns"], report=REPORT, columns=array(obj(
    ["column_name", "drifted", "histogram"], column_name=STR, kind=NSTR, method=NSTR,
    statistic=NNUM, p_adjusted=NNUM, effect=NNUM, drifted=NBOOL, histogram=NMAP)))
JOBS = obj(["jobs"], jobs=array(obj(
    ["run_id", "notebook", "status"], run_id=STR, name=NSTR, notebook=NSTR, status=JOB_STATUS,
    reason=NSTR,
    started=NSTR, ended=NSTR, duration_s=NNUM, schedule=NSTR, trigger=NSTR, params=NMAP,
    failed_cell=NINT, error_type=NSTR, output=NSTR)))
JOB_OUTPUT = obj(["path", "name", "notebook"], path=NSTR, name=STR, notebook=MAP)
SCHEDULES = obj(["schedules"], schedules=array(obj(
    ["name", "cron", "notebook", "paused"], name=STR, cron=STR, notebook=STR, params=MAP,
    misfire=NSTR, paused=BOOL, timezone=NSTR, timeout_s=NNUM, experiment=NSTR,
    next_run=NSTR, last_status=NSTR, last_started=NSTR, last_fired=NSTR, created=NSTR,
    updated=NSTR)))
SCHEDULE_STATE = obj(["notebook", "cron", "paused"], notebook=STR, cron=STR, paused=BOOL,
                     params=MAP, misfire=NSTR)
SCHEDULE_RUN = obj(["request", "run_id"], request=NSTR, run_id=NSTR)
HEALTH = obj(["store", "schema_version", "pending_bytes", "last_ingest"], store=STR,
             schema_version=NINT, generation=NINT, pending_bytes=INT, last_ingest=NSTR,
             last_ingest_error=NSTR, last_ingest_duration_ms=NNUM)


def check_body(schema: dict[str, Any], body: Any) -> Any:
    """``body`` as declared by ``schema`` (an OpenAPI request body), its defaults filled in;
    else :class:`BadParameter` naming the first field that is not valid and why."""
    from jsonschema import Draft4Validator
    from jsonschema.exceptions import best_match

    # OpenAPI 3.0 schemas are JSON Schema draft 4 with "nullable"; draft 4 also keeps
    # JSON's 3.0 from passing as an integer.
    error = best_match(Draft4Validator(_draft4(schema)).iter_errors(body))
    if error is not None:
        where = "body" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                                 for p in error.absolute_path)
        shown = repr(error.instance)
        message = error.message if len(shown) <= 60 else error.message.replace(
            shown, f"{shown[:40]}… ({len(shown):,} characters)")
        raise BadParameter(f"{where}: {message} (expected {_describe(schema)})")
    if isinstance(body, dict):
        for name, field in schema.get("properties", {}).items():
            if "default" in field:
                body.setdefault(name, field["default"])
    return body


def _draft4(schema: Any) -> Any:
    """``schema`` with OpenAPI's ``nullable: true`` as draft 4's ``type: [..., "null"]``."""
    if isinstance(schema, list):
        return [_draft4(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    found = {k: _draft4(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable") and "type" in found:
        found["type"] = [found["type"], "null"]
    return found


def _describe(schema: dict[str, Any]) -> str:
    """What a body schema accepts, in words: "a JSON object with version (required), …"."""
    fields = ", ".join(f"{name}{' (required)' if name in schema.get('required', ()) else ''}"
                       for name in schema.get("properties", {}))
    return f"{'null or ' if schema.get('nullable') else ''}a JSON object with {fields}"
