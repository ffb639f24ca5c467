"""Keeping files with a run: ``mlops.log_artifact``, ``log_figure``, ``log_table``,
``log_text`` and ``log_dict``.

Each stores its bytes content-addressed under the store (:mod:`jupyter_mlops.blobs`)
and appends one ``artifact`` event per stored file, linked to the cell that logged it. Like
``log_param`` they never raise into a cell: a path that cannot be read, a symlink leading out
of the working directory, a name with ``..`` or an object that is not a figure is one
warning line naming the problem, and nothing is recorded.
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from .. import blobs
from .. import events as ev
from ..exceptions import BadArtifact
from ..store import tables
from . import files, tracker

log = logging.getLogger("jupyter_mlops")


def _record(name: str, kind: str, data: bytes, media: str) -> None:
    t = tracker()
    sha = blobs.put(t.store, data, durable=False)
    t.emit(ev.ARTIFACT, ev.artifact_payload(t.ensure_run(), t.cell_seq, name, kind, sha,
                                          len(data), media))


def _warned(what: str, e: Exception) -> None:
    log.warning("jupyter-mlops: %s not kept: %s", what, e)


def log_artifact(path: str | os.PathLike[str], name: str | None = None) -> None:
    """Keep a file or a whole folder with the active run, under ``name`` (default: its
    file name). Stored once however many runs keep it; never raises into a cell."""
    try:
        keep_artifact(path, name)
    except Exception as e:
        _warned(f"artifact {path}", e)


def keep_artifact(path: str | os.PathLike[str], name: str | None = None) -> str:
    """:func:`log_artifact` for a face that reports errors its own way: raises
    :class:`BadArtifact` (or a :class:`StoreError`); returns the name kept."""
    found = files.source(path)
    name = files.check_name(found.name if name is None else name)
    t = tracker()
    if found.is_dir():
        sha, size, kept = files.put_tree(t.store, found)
        kind, media = "dir", blobs.DIRECTORY
    else:
        (sha, size), kept = blobs.put_file(t.store, found), []
        kind, media = "file", files.media_type(name)
    t.emit(ev.ARTIFACT, ev.artifact_payload(t.ensure_run(), t.cell_seq, name, kind, sha, size,
                                          media, kept))
    return name


def log_figure(fig: Any, name: str) -> None:
    """Keep a figure: matplotlib as ``NAME.png`` and ``NAME.svg``; plotly as ``NAME.json``,
    plus ``NAME.png`` where a static renderer (kaleido) is installed."""
    try:
        stem = files.check_name(_stem(name, (".png", ".svg", ".json")))
        for suffix, data, media in _figure_files(fig):
            _record(f"{stem}{suffix}", "figure", data, media)
    except Exception as e:
        _warned(f"figure {name!r}", e)


def _stem(name: str, suffixes: tuple[str, ...]) -> str:
    return name[:-len(s)] if isinstance(name, str) and (s := next(
        (s for s in suffixes if name.lower().endswith(s)), "")) else name


def _figure_files(fig: Any) -> list[tuple[str, bytes, str]]:
    """(suffix, bytes, media type) of each file a figure is kept as."""
    module = type(fig).__module__.partition(".")[0]
    if module == "matplotlib":
        fig = getattr(fig, "figure", fig)  # an Axes: its figure
    if module == "matplotlib" and hasattr(fig, "savefig"):
        import matplotlib

        png, svg = io.BytesIO(), io.BytesIO()
        fig.savefig(png, format="png", metadata={"Software": None})
        with matplotlib.rc_context({"svg.hashsalt": "jupyter-mlops"}):  # the same figure,
            fig.savefig(svg, format="svg", metadata={"Date": None})  # the same bytes
        return [(".png", png.getvalue(), "image/png"),
                (".svg", svg.getvalue(), "image/svg+xml")]
    if module == "plotly" and hasattr(fig, "to_json"):
        files = [(".json", fig.to_json().encode(), "application/vnd.plotly.v1+json")]
        try:
            import kaleido  # noqa: F401  (plotly's static renderer)

            return [*files, (".png", fig.to_image(format="png"), "image/png")]
        except Exception:  # no renderer, or it cannot start (no browser): the JSON alone
            return files
    raise BadArtifact(
        f"log_figure needs a matplotlib Figure or Axes or a plotly Figure, not "
        f"{type(fig).__module__}.{type(fig).__qualname__}; for a file use log_artifact")


def log_table(df: Any, name: str) -> None:
    """Keep a DataFrame (or Series) as ``NAME.parquet``, readable by pandas and DuckDB."""
    try:
        stem = files.check_name(_stem(name, (".parquet",)))
        if hasattr(df, "to_frame") and not hasattr(df, "columns"):
            df = df.to_frame()
        if not hasattr(df, "columns") or not hasattr(df, "dtypes"):
            raise BadArtifact(f"log_table needs a pandas DataFrame or Series, not "
                                        f"{type(df).__qualname__}")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "table.parquet"
            tables.write_parquet(df, str(path))
            _record(f"{stem}.parquet", "table", path.read_bytes(),
                    "application/vnd.apache.parquet")
    except Exception as e:
        _warned(f"table {name!r}", e)


def log_text(text: str, name: str) -> None:
    """Keep a text (UTF-8) under ``name`` (``notes.md``, ``report.html``; default .txt)."""
    try:
        if not isinstance(text, str):
            raise BadArtifact(f"log_text needs a str, not {type(text).__qualname__}")
        name = files.check_name(name)
        name = name if "." in Path(name).name else f"{name}.txt"
        media = files.media_type(name)
        _record(name, "text", text.encode(), media if media.startswith("text/") or
                media.endswith(("+xml", "json")) else "text/plain")
    except Exception as e:
        _warned(f"text {name!r}", e)


def log_dict(value: dict[str, Any], name: str) -> None:
    """Keep a dict as JSON under ``name`` (default extension .json)."""
    try:
        name = files.check_name(_stem(name, (".json",)) + ".json")
        try:
            data = json.dumps(value, indent=2, allow_nan=False).encode()
        except (TypeError, ValueError) as e:
            raise BadArtifact(f"log_dict needs JSON values: {e}") from None
        if not isinstance(value, dict):
            raise BadArtifact(f"log_dict needs a dict, not {type(value).__qualname__}")
        _record(name, "dict", data, "application/json")
    except Exception as e:
        _warned(f"dict {name!r}", e)
