"""Spool bytes queued for one ingest transaction: each file's complete lines as one Arrow
array over the bytes read (no copy, no Python string per line), where reading stopped, and
the lines that are not UTF-8."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

#: Bytes compared per step when looking for line ends: small enough to stay in cache.
_STEP = 1 << 20
#: The lines as :mod:`.apply` reads them (``_lines``).
_LINES = pa.schema([("chunk", pa.int32()), ("idx", pa.int64()), ("line", pa.large_string())])


@dataclass
class Chunk:
    """Complete lines read from one spool file in one ingest."""

    file: str
    lines: pa.LargeStringArray  # each line with its newline (whitespace, to JSON)
    starts: np.ndarray  # byte offset in the file of each line

    def position(self, line: int) -> int:
        """Byte offset in the file of line ``line`` (counting from 1) of this chunk."""
        return int(self.starts[line - 1])

    def raw(self, line: int) -> bytes:
        """Line ``line`` (counting from 1), without its newline."""
        return str(self.lines[line - 1].as_py()).removesuffix("\n").encode()


@dataclass
class Batch:
    """Chunks of spool files to apply together, and where each file's reading stopped."""

    chunks: list[Chunk] = field(default_factory=list)
    lines: int = 0
    offsets: dict[str, int] = field(default_factory=dict)
    corrupt: list[tuple[str, int, bytes]] = field(default_factory=list)

    def tables(self) -> tuple[pa.Table, pa.Table]:
        """``_lines(chunk, idx, line)`` (``idx`` counting from 1) and ``_chunks(chunk,
        file)``, as :mod:`.apply` reads them."""
        lines = pa.Table.from_batches([pa.record_batch({
            "chunk": np.full(len(c.lines), n, np.int32),
            "idx": np.arange(1, len(c.lines) + 1, dtype=np.int64),
            "line": c.lines}) for n, c in enumerate(self.chunks)], schema=_LINES)
        files = pa.table({"chunk": np.arange(len(self.chunks), dtype=np.int32),
                          "file": pa.array([c.file for c in self.chunks], pa.string())})
        return lines, files


def queue(data: bytes | memoryview, file: str, offset: int, batch: Batch) -> None:
    """Queue a file's complete lines (``data`` ends with a newline), read from ``offset``.
    The lines refer to ``data``'s memory (a map stays open as long as they do)."""
    if not data:
        return
    ends = _line_ends(data)
    bounds = np.empty(len(ends) + 1, np.int64)
    bounds[0], bounds[1:] = 0, ends + 1
    lines = pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(bounds), pa.py_buffer(data))
    starts = bounds[:-1]
    try:
        lines.validate(full=True)  # UTF-8
    except pa.ArrowInvalid:  # rare: keep the good lines, and where each one was
        lines, starts = _utf8_lines(data, bounds, file, offset, batch)
    batch.chunks.append(Chunk(file, lines, starts + offset))
    batch.lines += len(lines)


def _line_ends(data: bytes | memoryview) -> np.ndarray:
    """Where each newline of ``data`` is."""
    view, found = np.frombuffer(data, np.uint8), []
    scratch = np.empty(_STEP, bool)
    for start in range(0, len(view), _STEP):
        part = view[start:start + _STEP]
        hits = scratch[:len(part)]
        np.equal(part, 10, out=hits)
        found.append(np.flatnonzero(hits) + start)
    return np.concatenate(found)


def _utf8_lines(data: bytes | memoryview, bounds: np.ndarray, file: str, offset: int,
                batch: Batch) -> tuple[pa.LargeStringArray, np.ndarray]:
    """The lines of ``data`` (each between two ``bounds``) that are UTF-8, and where each
    starts; the others are corrupt before DuckDB."""
    good, starts = [], []
    for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        try:
            good.append(bytes(data[start:end]).decode())
            starts.append(start)
        except UnicodeDecodeError:
            batch.corrupt.append((file, offset + start, bytes(data[start:end - 1])))
    return pa.array(good, pa.large_string()), np.array(starts, np.int64)
