"""Spool bytes queued for one ingest transaction: each file's complete lines as one string
(DuckDB splits them), where reading stopped, and the lines that are not UTF-8."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Chunk:
    """The complete lines read from one spool file in one ingest."""

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


def queue(data: bytes, file: str, offset: int, batch: Batch) -> None:
    """Queue a file's complete lines; a line that is not UTF-8 is corrupt before DuckDB."""
    if not data:
        return
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
