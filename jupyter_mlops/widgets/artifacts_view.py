"""What a run keeps, in a notebook: its figures and cell outputs drawn inline, and every
artifact listed (``mlops.widgets.artifacts(run)``)."""

from __future__ import annotations

import base64

import pandas as pd

from .. import blobs
from ..store import Store, queries
from ..store.queries.artifacts import COLUMNS
from . import static
from .base import Panel

#: What an ``<img>`` shows (it runs no script, SVG included).
IMAGES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
#: Larger images are listed, not drawn inline (the cell's output would carry them).
MAX_INLINE = 2 << 20


class ArtifactsPanel(Panel):
    def __init__(self, run_id: str, store: Store | None = None) -> None:
        super().__init__(store)
        self.run_id = run_id
        self.found = pd.DataFrame(columns=COLUMNS)

    def load(self) -> None:
        self.found = queries.artifacts(self.store, self.run_id)

    def pictures(self) -> list[tuple[str, str]]:
        """(name, data URI) of each image to draw; a figure kept as PNG and SVG once."""
        names = set(self.found["name"])
        shown = []
        for a in self.found.itertuples():
            twin = a.media_type == "image/svg+xml" and a.name[:-4] + ".png" in names
            if a.media_type in IMAGES and not twin and a.size <= MAX_INLINE:
                data = base64.b64encode(blobs.get(self.store, a.sha256)).decode()
                shown.append((a.name, f"data:{a.media_type};base64,{data}"))
        return shown

    def markup(self) -> str:
        run = static.esc(self.run_id[:12])
        if not len(self.found):
            return static.page(f"<p>run {run} kept no artifacts</p>",
                               css_class="jp-mlops-artifacts")
        figures = "".join(
            f'<figure style="display:inline-block;margin:4px;max-width:320px">'
            f'<img src="{uri}" alt="{static.esc(name)}" style="max-width:100%">'
            f"<figcaption>{static.esc(name)}</figcaption></figure>"
            for name, uri in self.pictures())
        rows = [[a.name, a.kind, a.media_type, a.size, "" if pd.isna(a.seq) else int(a.seq)]
                for a in self.found.itertuples()]
        listing = static.table(["name", "kind", "media type", "bytes", "cell"], rows)
        head = f"<p><b>{len(self.found)} artifacts</b> of run {run}</p>"
        return static.page(head, f"<div>{figures}</div>", listing,
                           css_class="jp-mlops-artifacts")
