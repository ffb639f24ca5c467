"""The REST API's part of champion vs challenger: retiring a version, and the scored batches
with each version's realized metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..registry import MAX_VERSION
from . import schemas as S
from .endpoint import MAX_PAGE, MODEL_PARAM, Endpoint
from .params import NAME, Param
from .values import records

if TYPE_CHECKING:
    from .service import Service

RETIRED = S.obj(["name", "version", "retired"], name=S.STR, version=S.INT, retired=S.STR)
BATCHES = S.obj(["batches", "metrics"], batches=S.array(S.obj(
    ["batch_id", "name", "version", "rows"], batch_id=S.STR, name=S.STR, version=S.INT,
    rows=S.INT, input=S.NSTR, output=S.NSTR, input_fingerprint=S.NSTR,
    output_fingerprint=S.NSTR, created=S.NSTR)),
    metrics=S.array(S.obj(["batch_id", "name", "version", "metric"], batch_id=S.STR,
                          name=S.STR, version=S.INT, role=S.NSTR, metric=S.STR,
                          value=S.NNUM, rows=S.NINT)))


def _retire(service: Service, args: dict[str, Any]) -> Any:
    from ..registry import retire

    body = args["body"]
    done = retire((args["name"], body["version"]), reason=body.get("reason"),
                  by=args["user"], store=service.store)
    return {"name": done.name, "version": done.version, "retired": done.retired.isoformat()}


def _batches(service: Service, args: dict[str, Any]) -> Any:
    from ..store.queries.scoring import batch_metrics, score_batches

    batches = score_batches(service.store, args["model"]).head(args["limit"])
    metrics = batch_metrics(service.store, args["model"])
    metrics = metrics[metrics.batch_id.isin(batches.batch_id)]
    return {"batches": records(batches.drop(columns=["versions", "warnings"])),
            "metrics": records(metrics.drop(columns=["scored", "created"]))}


SCORING_ENDPOINTS: list[Endpoint] = [
    Endpoint("POST", "/models/{name}/retire", "Retire a version: it can no longer be "
             "promoted, loaded or scored by alias (asked for so later: 409); its record stays "
             "for audit.",
             _retire, RETIRED, params=(MODEL_PARAM,), errors=(400, 404, 503), cached=False,
             body=S.closed(["version"], version={"type": "integer", "minimum": 1,
                                                 "maximum": MAX_VERSION},
                           reason={"type": "string", "maxLength": 1000})),
    Endpoint("GET", "/scoring/batches", "Scored batches, newest first, and the realized "
             "metrics of each version on them once labeled.",
             _batches, BATCHES,
             params=(Param("model", "only this model's batches", pattern=NAME),
                     Param("limit", "how many batches", type="integer", minimum=1,
                           maximum=MAX_PAGE, default=50))),
]
