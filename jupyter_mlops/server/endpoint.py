"""What an endpoint of the REST API declares: its route, parameters, schemas and call."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .params import NAME, RUN_ID, Param

if TYPE_CHECKING:
    from .service import Service

__all__ = [
    "MAX_COMPARE",
    "MAX_PAGE",
    "RUN_ID_PARAM",
    "SCHEDULE_PARAM",
    "Call",
    "Download",
    "Endpoint",
]

Call = Callable[["Service", dict[str, Any]], Any]

#: Largest page of runs, and most runs compared at once.
MAX_PAGE, MAX_COMPARE = 1000, 50


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # below {base_url}/jupyter-mlops/api, with {name} path parameters
    summary: str
    call: Call
    response: dict[str, Any]  # JSON schema of a 200 answer
    params: tuple[Param, ...] = ()
    body: dict[str, Any] | None = None  # JSON schema of a POST body
    errors: tuple[int, ...] = (400, 503)
    cached: bool = True  # GETs are answered from the cache while the store is unchanged
    stream: bool = False  # the call returns a Download, streamed as it is instead of JSON


@dataclass(frozen=True)
class Download:
    """A file an endpoint streams: its pieces, media type, size and the name it is saved as."""

    pieces: Iterator[bytes]
    media_type: str
    size: int
    filename: str


RUN_ID_PARAM = Param("run_id", "a run id, or a unique prefix of at least 6 characters",
                where="path", pattern=RUN_ID)
MODEL_PARAM = Param("name", "a registered model's name", where="path", pattern=NAME)
SCHEDULE_PARAM = Param("name", "a schedule's name", where="path", pattern=NAME)
