"""Content-addressed blobs under the store: ``artifacts/<sha256[:2]>/<sha256>``.

Each blob is written to a temporary name and renamed, so a reader never sees half a file and
the same content is stored once; every read verifies the hash. A user's file is hashed while
it is copied (one read), or cloned where the filesystem can (reflink); it is never
hard-linked: a file rewritten in place (``df.to_csv`` again) would change the stored blob
under every run that kept it. Storing content that is already there refreshes the blob's
time, so garbage collection's grace period (:mod:`jupyter_mlops.retention`) covers a blob
logged again before its event is ingested.

With an artifact root configured (:mod:`.artifact_root`: a shared directory, S3, GCS), every
blob stored is written there too, and a blob missing here is fetched from there on first
read (hash verified): the store's own folder is then a cache of the root.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .artifact_root import shared_root
from .exceptions import BadArtifact, StoreError
from .store import Store

_CHUNK = 4 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FICLONE = 0x40049409  # Linux ioctl: a copy-on-write clone of a whole file
#: The media type of a logged folder; its sha256 is that of its manifest (a JSON list).
DIRECTORY = "inode/directory"


def path_of(store: Store, sha256: str) -> Path:
    """Where a blob lives; anything but 64 hex digits (a hostile event's ``../..``) is refused."""
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise StoreError(f"{str(sha256)[:80]!r} is not an artifact's sha256 (64 hex digits)")
    return store.root / "artifacts" / sha256[:2] / sha256


def put(store: Store, data: bytes, *, durable: bool = True) -> str:
    """Store bytes once; returns their sha256. ``durable=False`` skips the fsync (autolog's
    per-fit artifacts, like a kernel's cells, are not worth a disk flush each)."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_of(store, digest)
    if _refreshed(target):
        _share(store, digest, target)
        return digest
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{digest}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        tmp.replace(target)
    except OSError as e:
        raise StoreError(f"cannot write the artifact to {target.parent}: {e.strerror}") from None
    _share(store, digest, target)
    return digest


def put_file(store: Store, path: Path) -> tuple[str, int]:
    """Store a file once, hashing it as it is copied (or cloned); returns (sha256, size).
    The bytes hashed are the bytes written (one read); a large file is written in a thread
    while its next piece is hashed. No fsync: like a kernel's events, a blob reaches the
    page cache at once and the disk soon."""
    digest, size = hashlib.sha256(), 0
    folder = store.root / "artifacts"
    try:
        src = open(path, "rb")  # noqa: SIM115  (closed by the with below: its own errors)
    except PermissionError:
        raise BadArtifact(f"cannot read {path}: permission denied; make it readable "
                          f"(chmod u+r) or log a copy") from None
    except OSError as e:
        raise BadArtifact(f"cannot read {path}: {e.strerror}; log a regular file") from None
    tmp = folder / f".{os.getpid()}.{id(digest):x}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with src, open(tmp, "wb") as dst, ThreadPoolExecutor(1) as pool:
            cloned = _clone(src, dst)
            buffer = memoryview(bytearray(_CHUNK))
            while n := src.readinto(buffer):
                piece = buffer[:n]
                written = None if cloned else pool.submit(dst.write, piece)
                digest.update(piece)  # releases the GIL: hashing overlaps the write
                if written is not None:
                    written.result()
                size += n
        sha = digest.hexdigest()
        target = path_of(store, sha)
        if _refreshed(target):
            tmp.unlink()
        else:
            target.parent.mkdir(exist_ok=True)
            tmp.replace(target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot store {path} under {folder}: {e.strerror}") from None
    _share(store, sha, target)
    return sha, size


def _share(store: Store, sha256: str, local: Path) -> None:
    """Write the blob to the artifact root too, when one is configured."""
    root = shared_root(store)
    if root is not None:
        root.push(sha256, local)


def _local(store: Store, sha256: str) -> Path:
    """Where the blob is here: fetched from the artifact root first if only it has it."""
    target = path_of(store, sha256)
    if not target.is_file() and (root := shared_root(store)) is not None:
        root.fetch(sha256, target)
    return target


def _refreshed(target: Path) -> bool:
    """Whether the blob is there already; if so its time is now (see the module docstring)."""
    try:
        os.utime(target)
        return True
    except FileNotFoundError:
        return False
    except OSError:  # a read-only store the blob is in: it is there, gc cannot run there
        return target.exists()


def _clone(src: Any, dst: Any) -> bool:
    """A reflink of ``src`` into ``dst`` where the filesystem has them (btrfs, XFS)."""
    try:
        import fcntl

        fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
        return True
    except (ImportError, OSError):
        return False


def get(store: Store, sha256: str) -> bytes:
    """The artifact's bytes, after checking they still hash to ``sha256``."""
    target = _local(store, sha256)
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise _missing(sha256, target) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StoreError(f"artifact {sha256[:12]} at {target} was modified after it was "
                         f"stored (its sha256 no longer matches); refusing to load it")
    return data


def _missing(sha256: str, target: Path) -> StoreError:
    return StoreError(f"artifact {sha256[:12]} is missing from {target.parent}; the store "
                      f"was copied without its artifacts/ folder, or the artifact root it "
                      f"was written to is not configured here?")


def chunks(store: Store, sha256: str) -> Iterator[bytes]:
    """The artifact's bytes in pieces, for streaming it out (a missing file is an error now,
    not at the first piece). The hash is checked as it goes: a file modified in the store
    ends the stream with a StoreError after its last piece, never passes for the artifact."""
    target = _local(store, sha256)
    if not target.is_file():
        raise _missing(sha256, target)
    return _pieces(target, sha256)


def _pieces(target: Path, sha256: str) -> Iterator[bytes]:
    digest = hashlib.sha256()
    with open(target, "rb") as f:
        while piece := f.read(_CHUNK // 4):
            digest.update(piece)
            yield piece
    if digest.hexdigest() != sha256:
        raise StoreError(f"artifact {sha256[:12]} at {target} was modified after it was "
                         f"stored (its sha256 no longer matches)")
