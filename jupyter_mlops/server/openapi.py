"""The OpenAPI 3 document of the REST API, generated from the endpoint table."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from .endpoints import ENDPOINTS
from .schemas import COMPONENTS

#: Where the API lives below the server's base_url.
PREFIX = "/jupyter-mlops/api"

_ERROR = {"type": "object", "required": ["error", "detail"],
          "properties": {"error": {"type": "string"}, "detail": {"type": "string"}}}
_MEANING = {400: "a parameter or the body is not valid; detail says which and why",
            403: "not authenticated (no token or cookie), or a POST or DELETE without the "
                 "XSRF token",
            404: "no such run, model, report or metric",
            409: "refused: a promotion's gate (detail names the failing condition), or "
                 "deleting a run that is running or that a model version references",
            503: "the store cannot be read now; detail says why and what to do"}


def document(base_url: str = "/") -> dict[str, Any]:
    """The OpenAPI document, its server URL below ``base_url``."""
    paths: dict[str, dict[str, Any]] = {}
    for e in ENDPOINTS:
        operation: dict[str, Any] = {
            "summary": e.summary,
            "operationId": f"{e.method.lower()}{e.path.replace('/', '_').replace('{', '')}"
                           .replace("}", ""),
            "parameters": [p.schema() for p in e.params],
            "responses": {
                "200": {"description": "OK", "content": {
                    "*/*" if e.stream else "application/json": {"schema": e.response}}},
                **{str(code): {"description": _MEANING[code], "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                   for code in sorted({*e.errors, 403})},
            },
        }
        if e.body is not None:
            operation["requestBody"] = {"required": not e.body.get("nullable"), "content": {
                "application/json": {"schema": e.body}}}
        paths.setdefault(e.path, {})[e.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "jupyter-mlops", "version": version("jupyter-mlops"),
                 "description": "Recorded runs, cells, models, lineage and drift of a "
                                "jupyter-mlops store. Authenticate as for any Jupyter "
                                "server API (token or login cookie); POSTs with a cookie "
                                "also need the XSRF token."},
        "servers": [{"url": base_url.rstrip("/") + PREFIX}],
        "paths": paths,
        "components": {
            "schemas": {"Error": _ERROR, **COMPONENTS},
            "securitySchemes": {"token": {"type": "apiKey", "in": "header",
                                          "name": "Authorization",
                                          "description": "token <the server's token>"}},
        },
        "security": [{"token": []}],
    }


def markdown() -> str:
    """The endpoint reference of docs/rest.md, generated so that it cannot drift."""
    lines = []
    for e in ENDPOINTS:
        lines += [f"### `{e.method} {e.path}`", "", e.summary, ""]
        if e.params:
            lines += ["| parameter | in | type | default | meaning |", "|---|---|---|---|---|"]
            for p in e.params:
                schema = p.schema()["schema"]
                kind = " \\| ".join(f"`{v}`" for v in p.enum) if p.enum else p.type
                if p.minimum is not None:
                    kind += f" {p.minimum}–{p.maximum}"
                default = "required" if p.required or p.where == "path" else (
                    "" if schema.get("default") is None else f"`{schema['default']}`")
                lines.append(f"| `{p.name}` | {p.where} | {kind} | {default} | "
                             f"{p.description} |")
            lines.append("")
        if e.body is not None:
            fields = ", ".join(f"`{k}`" for k in e.body["properties"])
            required = ", ".join(f"`{k}`" for k in e.body["required"])
            lines += [f"Body: a JSON object with {fields} "
                      f"({f'{required} required' if required else 'optional'}).", ""]
        lines += [f"Errors: {', '.join(map(str, sorted({*e.errors, 403})))}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # python -m jupyter_mlops.server.openapi docs/rest.md
    import sys
    from pathlib import Path

    target = Path(sys.argv[1])
    head = target.read_text().split("<!-- reference -->")[0]
    target.write_text(f"{head}<!-- reference -->\n\n{markdown()}")
