"""The REST API's artifacts: what a run keeps, listed, and each file streamed."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from .. import blobs
from ..events import ARTIFACT_KINDS
from ..exceptions import NotFound
from ..store import queries
from ..tracking import files
from . import schemas as S
from .endpoint import RUN_ID_PARAM, Download, Endpoint
from .params import Param
from .values import records

if TYPE_CHECKING:
    from .service import Service

ARTIFACT = S.obj(["run_id", "seq", "name", "kind", "media_type", "size", "sha256", "ts"],
                 run_id=S.STR, seq=S.NINT, name=S.STR,
                 kind={"type": "string", "enum": list(ARTIFACT_KINDS)}, media_type=S.STR,
                 size=S.INT, sha256=S.STR, ts=S.STR, event_id=S.STR)


def _artifacts(service: Service, args: dict[str, Any]) -> Any:
    return {"artifacts": records(queries.artifacts(service.store, args["run_id"]))}


def _download(service: Service, args: dict[str, Any]) -> Download:
    found = queries.artifact(service.store, args["run_id"], args["name"])
    sha, size, media, filename = (found["sha256"], found["size"], found["media_type"],
                                  PurePosixPath(found["name"]).name)
    if found["kind"] == "dir":
        inside = {f["path"]: f for f in found["files"]}
        if args["file"] not in inside:
            raise NotFound(f"{found['name']!r} is a folder of {len(inside)} files; give "
                           f"file= one of them ({', '.join(sorted(inside)[:5])}…), as listed "
                           f"by `jupyter mlops artifacts {found['run_id'][:12]}`")
        chosen = inside[args["file"]]
        sha, size, filename = chosen["sha256"], chosen["size"], PurePosixPath(
            chosen["path"]).name
        media = files.media_type(filename)
    return Download(blobs.chunks(service.store, sha), media or "application/octet-stream",
                    int(size), filename)


ARTIFACT_ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/runs/{run_id}/artifacts", "A run's artifacts (files, folders, "
             "figures, tables, texts, dicts and cell outputs), by cell then name: the latest "
             "of each name.",
             _artifacts, S.obj(["artifacts"], artifacts=S.array(ARTIFACT)),
             params=(RUN_ID_PARAM,), errors=(400, 404, 503)),
    Endpoint("GET", "/runs/{run_id}/artifacts/download", "One artifact's bytes, streamed "
             "with its media type as an attachment (Content-Disposition), sandboxed; a "
             "folder's files one at a time (file=). The name is looked up in the run's "
             "records, never used as a path.",
             _download, {"type": "string", "format": "binary"},
             params=(RUN_ID_PARAM, Param("name", "the artifact's name", required=True),
                     Param("file", "for a folder artifact: the file's path inside it")),
             errors=(400, 404, 503), cached=False, stream=True),
]
