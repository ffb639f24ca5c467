"""Tornado handlers: one class serves every endpoint of the table, authenticated, JSON in
and out, with errors as ``{"error": …, "detail": …}``."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado import web

from ..exceptions import (
    BadParameter,
    BadReference,
    GateRefused,
    JobError,
    NotFound,
    RunProtected,
    StoreError,
    VersionRetired,
)
from .cache import Answers
from .downloads import send
from .endpoint import Endpoint
from .endpoints import ENDPOINTS
from .openapi import PREFIX, document
from .schemas import check_body
from .service import Service

#: Query arguments Jupyter itself uses on any request; not endpoint parameters.
_JUPYTER_ARGS = {"token", "_xsrf", "no_track_activity"}
#: The largest POST body read (a promotion is a few hundred bytes).
MAX_BODY = 64 * 1024

#: (exception class, status, error) in the order they are tried: subclasses first.
_ERRORS: list[tuple[type[Exception], int, str]] = [
    (BadParameter, 400, "bad parameter"),
    (GateRefused, 409, "gate refused"),
    (RunProtected, 409, "run protected"),
    (VersionRetired, 409, "version retired"),
    (NotFound, 404, "not found"),
    (BadReference, 400, "bad reference"),
    (JobError, 400, "bad job"),
    (StoreError, 503, "store unavailable"),
    (ValueError, 400, "bad parameter"),  # the registry's checks of names and gate syntax
]


class _JSONErrors(APIHandler):
    """Every error this API answers, Jupyter's own 403s included, as one JSON shape; a 405
    (any method this path does not take, TRACE and PUT included) names the ones it does in
    ``Allow``, as RFC 9110 requires."""

    def allowed(self) -> list[str]:
        return ["GET"]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        said = exc.log_message if isinstance(exc, web.HTTPError) and exc.log_message else ""
        if status_code == 405:
            self.set_header("Allow", ", ".join(self.allowed()))
            detail = f"this path takes {', '.join(self.allowed())}"
        elif status_code == 403:
            detail = (f"{said + '; ' if said else ''}authenticate with the server's token "
                      f"(Authorization: token …) or its login cookie; a POST with the cookie "
                      f"also needs the _xsrf token")
        elif status_code >= 500:
            detail = "an internal error; the server log has the traceback"
        else:
            detail = said or self._reason
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": self._reason.lower(), "detail": detail}))


class EndpointHandler(_JSONErrors):
    """The handler of one URL pattern; ``endpoints`` maps a method to what serves it."""

    def initialize(self, endpoints: dict[str, Endpoint], service: Service,
                   answers: Answers) -> None:
        self.endpoints = endpoints
        self.service = service
        self.answers = answers

    @web.authenticated
    async def get(self, **path: str) -> None:
        await self._serve("GET", path)

    @web.authenticated
    async def post(self, **path: str) -> None:
        await self._serve("POST", path)

    @web.authenticated
    async def delete(self, **path: str) -> None:
        await self._serve("DELETE", path)

    def allowed(self) -> list[str]:
        return sorted(self.endpoints)

    def _fail(self, status: int, error: str, detail: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": error, "detail": detail}))

    async def _serve(self, method: str, path: dict[str, str]) -> None:
        endpoint = self.endpoints.get(method)
        if endpoint is None:
            raise web.HTTPError(405)
        try:
            args = self._arguments(endpoint, path)
            if endpoint.stream:
                await send(self, await asyncio.to_thread(endpoint.call, self.service, args))
                return
            text = await self.answers.get(
                (endpoint.method, endpoint.path, *sorted(args.items())),
                lambda: self._compute(endpoint, args), cached=endpoint.cached)
        except Exception as e:
            for kind, status, error in _ERRORS:
                if isinstance(e, kind):
                    self._fail(status, error, str(e))
                    return
            raise
        self.set_header("Content-Type", "application/json")
        self.finish(text)

    def _compute(self, endpoint: Endpoint, args: dict[str, Any]) -> str:
        """The answer's JSON text (in a worker thread)."""
        return json.dumps(endpoint.call(self.service, args), allow_nan=False,
                          separators=(",", ":"))

    def _arguments(self, endpoint: Endpoint, path: dict[str, str]) -> dict[str, Any]:
        """Every parameter parsed and checked; unknown ones are refused (typos surface)."""
        declared = {p.name for p in endpoint.params}
        unknown = sorted(set(self.request.query_arguments) - declared - _JUPYTER_ARGS)
        if unknown:
            raise BadParameter(f"unknown parameter {unknown[0][:40]!r}; this endpoint takes "
                               f"{', '.join(sorted(declared - set(path))) or 'none'}")
        args: dict[str, Any] = {}
        for param in endpoint.params:
            if param.where == "path":
                raw: str | None = path[param.name]
            else:
                values = self.request.query_arguments.get(param.name, [])
                if len(values) > 1:
                    raise BadParameter(f"{param.name} is given {len(values)} times; give it once")
                raw = self.decode_argument(values[0], name=param.name) if values else None
            args[param.name] = param.parse(raw)
        if endpoint.body is not None:
            args["body"] = check_body(endpoint.body, self._body())
        if endpoint.method != "GET":  # who changed the store is recorded with the change
            args["user"] = self.current_user.username
        return args

    def _body(self) -> Any:
        if len(self.request.body) > MAX_BODY:
            raise BadParameter(f"the body is {len(self.request.body):,} bytes; at most "
                               f"{MAX_BODY:,}")
        try:
            return json.loads(self.request.body or b"null")
        except ValueError as e:
            raise BadParameter(f"the body is not JSON: {e}") from None


class OpenAPIHandler(_JSONErrors):
    """``GET openapi.json``: the document for this server's base_url."""

    @web.authenticated
    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(document(self.base_url)))


def _pattern(path: str) -> str:
    """``/runs/{run_id}`` as a tornado pattern with named groups (one path segment each)."""
    return re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)


Route = tuple[str, type[web.RequestHandler], dict[str, Any]]


def routes(service: Service, answers: Answers) -> list[Route]:
    """The URL patterns below base_url; literal paths before the parameterized ones."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for e in ENDPOINTS:
        by_path.setdefault(e.path, {})[e.method] = e
    ordered = sorted(by_path, key=lambda p: ("{" in p, p))
    found: list[Route] = [
        (f"{PREFIX}{_pattern(p)}/?", EndpointHandler,
         {"endpoints": by_path[p], "service": service, "answers": answers}) for p in ordered]
    found.append((f"{PREFIX}/openapi.json", OpenAPIHandler, {}))
    return found
