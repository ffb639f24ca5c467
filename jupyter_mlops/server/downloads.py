"""Streaming a file an endpoint answers with (:class:`.endpoint.Download`), safely.

A stored file may be HTML or SVG written by anyone who can write to the store; served from
the Jupyter server's origin it could run script with the user's session. So every download
is an attachment, sandboxed (``Content-Security-Policy: sandbox``) and never sniffed as
another type; ``<img>`` still shows an image, which runs nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import quote

from .endpoint import Download

log = logging.getLogger("jupyter_mlops")


def disposition(filename: str) -> str:
    """``attachment`` with the name in ASCII and in RFC 5987 UTF-8 (any name is safe)."""
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
                         for c in filename) or "artifact"
    return f'attachment; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(filename)}'


async def send(handler: Any, download: Download) -> None:
    """Write the headers, then each piece as it is read (in a thread), flushing as it goes:
    a 1 GiB artifact never sits in the server's memory."""
    handler.set_header("Content-Type", download.media_type)
    handler.set_header("Content-Length", str(download.size))
    handler.set_header("Content-Disposition", disposition(download.filename))
    handler.set_header("X-Content-Type-Options", "nosniff")
    handler.set_header("Content-Security-Policy", "sandbox")
    pieces = download.pieces
    try:
        while (piece := await asyncio.to_thread(next, pieces, None)) is not None:
            handler.write(piece)
            await handler.flush()
    except Exception:  # headers are out: cut the connection, the client sees it failed
        log.exception("jupyter-mlops: streaming %s failed", download.filename)
        handler.request.connection.stream.close()
        return
    handler.finish()
