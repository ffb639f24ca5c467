"""Figures kept off the cell's clock.

``log_figure`` checks the figure and takes a detached copy of it in the caller's thread (a
matplotlib pickle: about a millisecond), then renders PNG and SVG from that copy on one
background thread: the cell waits for the copy, not for the render (~80 ms for a plain line
plot here). The copy is independent of the user's figure, which may be changed or closed at
once. A figure that cannot be pickled is rendered in the caller's thread, as before.

Reads in the same process wait for pending renders (:mod:`..store.inflight`), and the
render thread is joined when the interpreter exits, so a kernel or job that ends normally
keeps every figure it logged.
"""

from __future__ import annotations

import io
import os
import pickle
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..exceptions import BadArtifact
from ..store import inflight

#: A figure's files: (suffix, bytes, media type) each.
Files = list[tuple[str, bytes, str]]

_SVG_SALT = "jupyter-mlops"  # the same figure, the same SVG bytes (ids are salted hashes)
_salt_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def snapshot(fig: Any) -> Callable[[], Files]:
    """What rendering ``fig`` later needs, taken now; the returned function renders its
    files and may run on another thread. Raises :class:`BadArtifact` for a non-figure."""
    module = type(fig).__module__.partition(".")[0]
    if module == "matplotlib":
        fig = getattr(fig, "figure", fig)  # an Axes: its figure
    if module == "matplotlib" and hasattr(fig, "savefig"):
        copy = _detached_copy(fig)
        if copy is None:
            files = _matplotlib_files(fig)
            return lambda: files
        return lambda: _matplotlib_files(pickle.loads(copy))
    if module == "plotly" and hasattr(fig, "to_json"):
        spec = fig.to_json()
        return lambda: _plotly_files(spec)
    raise BadArtifact(
        f"log_figure needs a matplotlib Figure or Axes or a plotly Figure, not "
        f"{type(fig).__module__}.{type(fig).__qualname__}; for a file use log_artifact")


def _detached_copy(fig: Any) -> bytes | None:
    """The figure pickled without its pyplot registration (loading it must not open a
    window or touch pyplot's figure list); None when some artist cannot be pickled."""
    canvas = fig.canvas
    manager = canvas.manager
    canvas.manager = None
    try:
        return pickle.dumps(fig, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a lambda formatter, an open file in an artist, …
        return None
    finally:
        canvas.manager = manager


def _matplotlib_files(fig: Any) -> Files:
    import matplotlib as mpl

    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", metadata={"Software": None})
    with _salt_lock:  # only this key: a whole rc_context would undo the user's changes
        salted = mpl.rcParams["svg.hashsalt"] is None
        if salted:
            mpl.rcParams["svg.hashsalt"] = _SVG_SALT
        try:
            fig.savefig(svg, format="svg", metadata={"Date": None})
        finally:
            if salted and mpl.rcParams["svg.hashsalt"] == _SVG_SALT:
                mpl.rcParams["svg.hashsalt"] = None
    return [(".png", png.getvalue(), "image/png"), (".svg", svg.getvalue(), "image/svg+xml")]


def _plotly_files(spec: str) -> Files:
    files: Files = [(".json", spec.encode(), "application/vnd.plotly.v1+json")]
    try:
        import kaleido  # noqa: F401  (plotly's static renderer)
        import plotly.io as pio

        return [*files, (".png", pio.to_image(pio.from_json(spec), format="png"), "image/png")]
    except Exception:  # no renderer, or it cannot start (no browser): the JSON alone
        return files


def in_background(work: Callable[[], None]) -> None:
    """Run ``work`` on the render thread; reads in this process wait until it is done."""
    promise = inflight.Promise()

    def run() -> None:
        with promise.keeping():
            work()

    try:
        _render_thread().submit(run)
    except RuntimeError:  # the interpreter is shutting down: no new threads
        run()


def _render_thread() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(1, thread_name_prefix="jupyter-mlops-figures")
        return _executor


def _forget_parent_thread() -> None:
    """A forked child has no render thread, only the parent's executor object."""
    global _executor, _executor_lock
    _executor, _executor_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_parent_thread)
