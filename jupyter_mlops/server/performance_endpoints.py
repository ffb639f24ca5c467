"""The REST API's performance monitoring: estimated vs realized metrics per batch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import schemas as S
from .endpoint import MAX_PAGE, Endpoint
from .params import NAME, Param
from .values import records

if TYPE_CHECKING:
    from .service import Service

#: The metrics estimated (as :data:`jupyter_mlops.monitoring.cbpe.METRICS`, without importing
#: numpy into the router).
METRICS = ("accuracy", "f1", "roc_auc")

HISTORY = S.obj(["history"], history=S.array(S.obj(
    ["model", "batch", "metric", "created", "estimated", "ci_low", "ci_high", "realized"],
    model=S.STR, batch=S.STR, metric={"type": "string", "enum": list(METRICS)},
    created=S.STR, n=S.NINT, estimated=S.NNUM, ci_low=S.NNUM, ci_high=S.NNUM,
    realized=S.NNUM, realized_at=S.NSTR, confidence=S.NNUM, event_id=S.STR)))


def _history(service: Service, args: dict[str, Any]) -> Any:
    from ..monitoring.performance import performance_history

    return {"history": records(performance_history(args["model"], metric=args["metric"],
                                                   limit=args["limit"], store=service.store))}


PERFORMANCE_ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/performance", "Estimated vs realized performance per batch, oldest "
             "first: the first estimate made for a batch (without labels) with its interval, "
             "and the realized value once labels arrived.",
             _history, HISTORY,
             params=(Param("model", "name (every version), name:version or name@alias",
                           pattern=rf"{NAME}(:[0-9]{{1,19}}|@{NAME})?"),
                     Param("metric", "only this metric", enum=METRICS),
                     Param("limit", "how many batches (the latest)", type="integer", minimum=1,
                           maximum=MAX_PAGE, default=50)),
             errors=(400, 404, 503)),
]
