"""Cell outputs as artifacts (``%config MLOps.capture_outputs = True``).

What a cell displays never reaches the cell hooks: ``display()`` (and matplotlib's inline
backend, in ``post_execute``) goes to the shell's display publisher, a cell's value to its
display hook's ``write_format_data``. Both are wrapped on the instance: after the output is
sent, its richest kept form (an image; HTML or plotly JSON up to ``output_max_bytes``) is
stored content-addressed and recorded as an ``artifact`` of kind ``output`` with the seq of
the cell running now. A cell that displays nothing pays nothing; with capture off, one
attribute read per output. Updates of an existing display (progress bars) are not kept.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Protocol

from .. import blobs
from .. import events as ev
from . import incidents
from .recorder import Recorder

#: Kept forms, richest first: (media type, file suffix, capped at output_max_bytes).
FORMS = (("image/png", ".png", False), ("image/jpeg", ".jpg", False),
         ("image/gif", ".gif", False), ("image/svg+xml", ".svg", False),
         ("application/vnd.plotly.v1+json", ".plotly.json", True),
         ("text/html", ".html", True))
#: An image may be this many times output_max_bytes.
IMAGE_FACTOR = 16


class Settings(Protocol):
    """What output capture reads from its configuration (the magics class provides it)."""

    capture_outputs: bool
    output_max_bytes: int


class OutputCapture:
    """Keeps what the cells of one IPython shell display, while the setting is on."""

    def __init__(self, shell: Any, tracker: Recorder, settings: Settings) -> None:
        self.shell = shell
        self.tracker = tracker
        self.settings = settings
        self._seq: int | None = None
        self._count = 0  # outputs kept for the cell self._seq
        self._wrapped: list[tuple[Any, str, Any]] = []  # (object, attribute, our wrapper)

    def register(self) -> None:
        self._wrap(self.shell.display_pub, "publish")
        self._wrap(self.shell.displayhook, "write_format_data")

    def _wrap(self, target: Any, attribute: str) -> None:
        original = getattr(target, attribute)

        def wrapper(data: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(data, *args, **kwargs)
            if self.settings.capture_outputs and not kwargs.get("update"):
                self.keep(data)
            return result

        setattr(target, attribute, wrapper)
        self._wrapped.append((target, attribute, wrapper))

    def unregister(self) -> None:
        for target, attribute, wrapper in self._wrapped:
            if vars(target).get(attribute) is wrapper:
                delattr(target, attribute)
        self._wrapped.clear()

    def keep(self, data: Any) -> None:
        """Store one displayed output of the running cell; never raises."""
        seq = self.tracker.cell_seq
        if seq is None or not isinstance(data, dict):  # outside a recorded cell
            return
        try:
            found = _form(data, self.settings.output_max_bytes)
            if found is None:
                return
            blob, media, suffix = found
            if seq != self._seq:
                self._seq, self._count = seq, 0
            self._count += 1
            store = self.tracker.store
            sha = blobs.put(store, blob, durable=False)
            self.tracker.emit(ev.ARTIFACT, ev.artifact_payload(
                self.tracker.ensure_run(), seq, f"cell{seq}-output{self._count}{suffix}",
                "output", sha, len(blob), media))
        except Exception:
            incidents.report(self.tracker.store.root, "output capture")


def _form(data: dict[str, Any], cap: int) -> tuple[bytes, str, str] | None:
    """(bytes, media type, suffix) of the richest form of an output within its cap."""
    for media, suffix, capped in FORMS:
        value = data.get(media)
        if value is None:
            continue
        if isinstance(value, bytes):
            blob = value
        elif isinstance(value, str):
            blob = (base64.b64decode(value) if media.startswith("image/")
                    and media != "image/svg+xml" else value.encode())
        else:
            blob = json.dumps(value, separators=(",", ":")).encode()
        if len(blob) <= (cap if capped else cap * IMAGE_FACTOR):
            return blob, media, suffix
    return None
