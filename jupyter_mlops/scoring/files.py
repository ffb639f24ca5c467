"""Batch files in and out, in record batches: Parquet and CSV read and written chunk by
chunk with pyarrow, so a file larger than memory is scored in bounded memory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..exceptions import ScoringError

#: The formats a batch may be read from and written to, by file suffix.
FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def file_format(path: str | os.PathLike[str], what: str) -> str:
    """``parquet`` or ``csv`` by the suffix of ``path``, or one line saying what to give."""
    found = FORMATS.get(Path(path).suffix.lower())
    if found is None:
        raise ScoringError(f"{what} {str(path)!r}: give a .parquet or .csv file")
    return found


#: Bytes of float64 values per chunk when ``chunk_rows`` is not given: few large chunks, since
#: a tree ensemble's predict pays a thread barrier per tree and chunk (2x the time at
#: 100,000 rows on a loaded 2-core machine), while a few in flight stay well under 1 GB.
CHUNK_BYTES = 96 << 20


def chunk_rows_for(columns: int) -> int:
    """Rows per chunk for ``columns`` columns: :data:`CHUNK_BYTES` of them, 10,000 to 1M."""
    return max(10_000, min(1_000_000, CHUNK_BYTES // (8 * max(columns, 1))))


@dataclass
class Input:
    """An input file opened for reading: its Arrow schema, rows (None: a CSV's are only
    known once read) and ``read(columns, rows)``, its chunks (record batches or tables) of
    those columns (None: all; a CSV gives all), ``rows`` at a time."""

    path: str
    schema: Any
    rows: int | None
    read: Callable[[list[str] | None, int], Iterator[Any]]


def open_input(path: str | os.PathLike[str]) -> Input:
    """``path`` opened: its schema read, its rows not yet."""
    import pyarrow as pa

    path = str(path)
    fmt = file_format(path, "input")
    if not os.path.isfile(path):
        raise ScoringError(f"input {path!r} is not a file")
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            source = pq.ParquetFile(path, pre_buffer=False)  # pre-buffering: 2.7x memory
            return Input(path, source.schema_arrow, source.metadata.num_rows,
                         lambda columns, rows: _ramped(path, columns, rows, pa))
        import pyarrow.csv as pcsv

        # ~1 MB of text per Arrow block, rebatched to chunk_rows below
        reader = pcsv.open_csv(path, read_options=pcsv.ReadOptions(block_size=1 << 20))
        return Input(path, reader.schema, None, lambda _, rows: _rebatch(reader, rows, pa))
    except (pa.ArrowInvalid, OSError) as e:
        raise ScoringError(f"cannot read input {path!r} as {fmt}: {e}") from None


def _ramped(path: str, columns: list[str] | None, rows: int, pa: Any) -> Iterator[Any]:
    """A Parquet file's chunks of ``rows`` rows as tables of quarter-size record batches, the
    first chunk one quarter alone: the model starts on it while the next chunk is decoded
    (waiting for a whole first chunk cost ~7% of the scoring time of 2M rows). Read through
    a memory map (:mod:`..monitoring.parquet_mapped`: ``read()``'s copies cost more)."""
    from ..monitoring.parquet_mapped import record_batches

    quarter = max(1, rows // 4)
    parts: list[Any] = []
    first = True
    for batch in record_batches(path, columns, quarter):
        parts.append(batch)
        if first or len(parts) == 4:
            yield pa.Table.from_batches(parts)
            parts, first = [], False
    if parts:
        yield pa.Table.from_batches(parts)


def read_ahead(batches: Iterator[Any], depth: int = 1) -> Iterator[Any]:
    """``batches``, read on a thread up to ``depth`` ahead: pyarrow decodes the next chunk
    (without the GIL) while the model predicts this one. Stopping early stops the thread."""
    import queue
    import threading

    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def offer(item: Any) -> bool:
        """Queue ``item`` unless the reader stopped (False)."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def fill() -> None:
        try:
            for batch in batches:
                if not offer(batch):
                    return
            offer(end)
        except BaseException as e:  # handed to the reader, raised there
            offer(e)

    thread = threading.Thread(target=fill, name="mlops-score-read", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _rebatch(reader: Any, rows: int, pa: Any) -> Iterator[Any]:
    """A CSV reader's blocks cut and gathered into batches of ``rows`` rows."""
    pending = None
    try:
        for block in reader:
            table = pa.Table.from_batches([block])
            if pending is not None:
                table = pa.concat_tables([pending, table])
            while table.num_rows >= rows:
                yield table.slice(0, rows).combine_chunks().to_batches()[0]
                table = table.slice(rows)
            pending = table
    except pa.ArrowInvalid as e:  # a row that does not parse like the first block's
        raise ScoringError(f"cannot read the input CSV: {e}") from None
    if pending is not None and pending.num_rows:
        yield pending.combine_chunks().to_batches()[0]


class Output:
    """A Parquet or CSV file written one record batch at a time, first to a hidden name and
    renamed into place when complete (a failed run leaves no half-written output)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.format = file_format(path, "output")
        self.partial = self.path.with_name(f".{self.path.name}.partial")
        self._writer: Any = None

    def write(self, batch: Any) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.format == "parquet":
                import pyarrow.parquet as pq

                self._writer = pq.ParquetWriter(str(self.partial), batch.schema,
                                                **_encodings(batch.schema))
            else:
                import pyarrow.csv as pcsv

                self._writer = pcsv.CSVWriter(str(self.partial), batch.schema)
        self._writer.write(batch)  # a record batch or a table

    def close(self, ok: bool = True) -> None:
        if self._writer is not None:
            self._writer.close()
        if ok and self._writer is not None:
            os.replace(self.partial, self.path)
        elif self.partial.exists():
            self.partial.unlink()


def _encodings(schema: Any) -> dict[str, Any]:
    """Integer columns (row numbers, class labels) delta-coded without a dictionary: a
    quarter of the CPU of dictionary coding and compressing them (0.17 s against 0.78 s for
    10M rows and predictions), smaller files; other columns keep pyarrow's defaults."""
    import pyarrow as pa

    ints = [f.name for f in schema if pa.types.is_integer(f.type)]
    return {"use_dictionary": [f.name for f in schema if f.name not in ints],
            "column_encoding": dict.fromkeys(ints, "DELTA_BINARY_PACKED")} if ints else {}


def fingerprint_soon(path: str | os.PathLike[str]) -> Callable[[], str | None]:
    """``path``'s fingerprint hashed on a thread from now (xxhash releases the GIL): while the
    models are resolved and loaded, on one core, the other hashes the input. The returned
    call waits for it; None when ``path`` is not a file (:func:`open_input` says so)."""
    from concurrent.futures import ThreadPoolExecutor

    if not os.path.isfile(path):
        return lambda: None
    pool = ThreadPoolExecutor(1, thread_name_prefix="mlops-score-hash")
    found = pool.submit(file_fingerprint, path)
    pool.shutdown(wait=False)
    return found.result


def file_fingerprint(path: str | os.PathLike[str]) -> str:
    """xxh3-128 over the file's bytes: the input's id in lineage (the same file scored twice
    is one dataset node). Hashed from a memory map, 64 MB at a time: no copy into a buffer
    (0.5 s of CPU against 0.87 s for 2.2 GB), and only one window resident at once (a map
    of the whole file counts all of it in the process's RSS)."""
    import mmap

    import xxhash

    h = xxhash.xxh3_128()
    window = 64 << 20  # a multiple of mmap.ALLOCATIONGRANULARITY
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        for start in range(0, size, window):
            with mmap.mmap(f.fileno(), min(window, size - start), offset=start,
                           access=mmap.ACCESS_READ) as mapped:
                h.update(mapped)
    return h.hexdigest()
