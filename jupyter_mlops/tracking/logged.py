"""Keeping files with a run: ``mlops.log_artifact``, ``log_figure``, ``log_table``,
``log_text`` and ``log_dict``.

Each stores its bytes content-addressed under the store (:mod:`jupyter_mlops.blobs`)
and appends one ``artifact`` event per stored file, linked to the cell that logged it. Like
``log_param`` they never raise into a cell: a path that cannot be read, a symlink leading out
of the working directory, a name with ``..`` or an object that is not a figure is one
warning line naming the problem, and nothing is recorded.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import blobs
from .. import events as ev
from ..exceptions import BadArtifact
from ..store import tables
from . import figures, files, tracker

log = logging.getLogger("jupyter_mlops")


def _record(name: str, kind: str, data: bytes, media: str) -> None:
    _recorder()(name, kind, data, media)


def _recorder() -> Callable[[str, str, bytes, str], None]:
    """Keeps files for the run, cell and store active now, even when called later from
    another thread (a figure rendered in the background)."""
    t = tracker()
    run, seq = t.ensure_run(), t.cell_seq
    store, writer = t.store, t.writer

    def record(name: str, kind: str, data: bytes, media: str) -> None:
        sha = blobs.put(store, data, durable=False)
        t.emit_event(ev.Event(ev.ARTIFACT, ev.artifact_payload(
            run, seq, name, kind, sha, len(data), media)), writer)

    return record


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
    plus ``NAME.png`` where a static renderer (kaleido) is installed. The figure is copied
    now and rendered in the background (:mod:`.figures`): the cell does not wait for it."""
    try:
        stem = files.check_name(_stem(name, (".png", ".svg", ".json")))
        render, record = figures.snapshot(fig), _recorder()
    except Exception as e:
        _warned(f"figure {name!r}", e)
        return

    def keep() -> None:
        try:
            for suffix, data, media in render():
                record(f"{stem}{suffix}", "figure", data, media)
        except Exception as e:
            _warned(f"figure {name!r}", e)

    figures.in_background(keep)


def _stem(name: str, suffixes: tuple[str, ...]) -> str:
    return name[:-len(s)] if isinstance(name, str) and (s := next(
        (s for s in suffixes if name.lower().endswith(s)), "")) else name


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
