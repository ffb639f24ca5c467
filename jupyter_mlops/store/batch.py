"""Spool bytes queued for one ingest transaction: each file's complete lines as a few large
strings (DuckDB splits them), where reading stopped, and the lines that are not UTF-8."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Chunk:
    """Complete lines read from one spool file in one ingest (a large read is cut in pieces)."""

    file: str
    offset: int
    text: str  # valid UTF-8 lines only, newline-terminated
    positions: list[int] | None = None  # byte offset of each line, when lines were dropped

    def position(self, line: int) -> int:
        """Byte offset in the file of line ``line`` (counting from 1) of this chunk."""
        if self.positions is not None:
            return self.positions[line - 1]
        lengths = (len(x) + 1 for x in self.text.encode().split(b"\n")[: line - 1])
        return self.offset + sum(lengths)


@dataclass
class Batch:
    """Chunks of spool files to apply together, and where each file's reading stopped."""

    chunks: list[Chunk] = field(default_factory=list)
    lines: int = 0
    offsets: dict[str, int] = field(default_factory=dict)
    corrupt: list[tuple[str, int, bytes]] = field(default_factory=list)


#: The most bytes of one chunk: a large file is cut into pieces at line ends, which
#: :data:`.apply.PARSE` parses side by side (one string per piece is still far cheaper than
#: one per line).
PIECE = 4 << 20


def queue(data: bytes, file: str, offset: int, batch: Batch) -> None:
    """Queue a file's complete lines, in pieces of about :data:`PIECE` bytes."""
    start = 0
    while start < len(data):
        end = data.rfind(b"\n", start, start + PIECE)
        if end < 0:  # one line longer than a piece
            end = data.index(b"\n", start + PIECE)
        _queue_piece(data[start:end + 1], file, offset + start, batch)
        start = end + 1


def _queue_piece(data: bytes, file: str, offset: int, batch: Batch) -> None:
    """Queue complete lines; a line that is not UTF-8 is corrupt before DuckDB."""
    try:
        chunk = Chunk(file, offset, data.decode())
    except UnicodeDecodeError:  # rare: keep the good lines and where each one was
        good, positions, position = [], [], offset
        for line in data.split(b"\n")[:-1]:
            try:
                good.append(line.decode())
                positions.append(position)
            except UnicodeDecodeError:
                batch.corrupt.append((file, position, line))
            position += len(line) + 1
        chunk = Chunk(file, offset, "".join(x + "\n" for x in good), positions)
    batch.chunks.append(chunk)
    batch.lines += chunk.text.count("\n")
