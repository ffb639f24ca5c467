"""What a user asks to keep, checked and stored: a file or folder path (it exists, can be read,
and no symbolic link leads out of the working directory), an artifact's name, its media type."""

from __future__ import annotations

import json
import mimetypes
import os
from pathlib import Path, PurePosixPath
from typing import Any

from .. import blobs
from ..exceptions import BadArtifact
from ..store import Store


def put_tree(store: Store, folder: Path) -> tuple[str, int, list[dict[str, Any]]]:
    """Store every file under ``folder``; returns the sha256 of its manifest (stored too),
    the total size, and the files (path relative to ``folder``, sha256, size)."""
    files: list[dict[str, Any]] = []
    for top, folders, names in os.walk(folder):  # a linked folder is checked, not entered
        for path in sorted(Path(top) / n for n in folders + names):
            checked = source(path, inside=folder)
            if not checked.is_dir():
                sha, size = blobs.put_file(store, checked)
                files.append({"path": path.relative_to(folder).as_posix(), "sha256": sha,
                              "size": size})
    files.sort(key=lambda f: f["path"])
    manifest = json.dumps(files, separators=(",", ":")).encode()
    return blobs.put(store, manifest, durable=False), sum(f["size"] for f in files), files


def source(path: str | os.PathLike[str], *, inside: Path | None = None) -> Path:
    """A file or folder the user asked to keep, checked: it exists, and a symbolic link does
    not lead out of the working directory (or out of the folder being logged)."""
    given = Path(os.path.abspath(Path(path).expanduser()))
    try:
        resolved = given.resolve(strict=True)
    except FileNotFoundError:
        raise BadArtifact(f"no such file or folder: {path}; check the path (relative paths "
                          f"start at {Path.cwd()})") from None
    except (OSError, RuntimeError) as e:  # a symlink loop
        raise BadArtifact(f"cannot follow {path}: {e}") from None
    root = inside or Path.cwd().resolve()
    if (inside is not None or given.is_relative_to(root)) and not resolved.is_relative_to(root):
        raise BadArtifact(f"{path} is a symbolic link to {resolved}, outside {root}; log the "
                          f"file it points to by its own path if you mean to keep it")
    if not resolved.is_dir() and not resolved.is_file():
        raise BadArtifact(f"{path} is not a regular file or folder (a pipe, socket or "
                          f"device); log a file")
    if not os.access(resolved, os.R_OK):
        raise BadArtifact(f"cannot read {path}: permission denied; make it readable "
                          f"(chmod u+r) or log a copy")
    return resolved


def check_name(name: str) -> str:
    """An artifact's name: a relative path of plain parts (``plots/roc.png``)."""
    parts = PurePosixPath(name).parts if isinstance(name, str) else ()
    if (not parts or name.startswith("/") or "\\" in name or "\0" in name
            or any(p in (".", "..") for p in parts) or name != "/".join(parts)):
        raise BadArtifact(f"artifact name {name!r} is not a relative path of plain parts; "
                          f"give a name like 'roc.png' or 'plots/roc.png' (no '..', no "
                          f"leading '/')")
    return name


def media_type(name: str) -> str:
    """The media type a name's extension says (``application/octet-stream`` if none)."""
    return mimetypes.guess_type(name)[0] or "application/octet-stream"




def export(store: Store, run_id: str, name: str, dest: Path | None = None) -> Path:
    """Write a run's artifact ``name`` to ``dest`` (default: its last name part here; an
    existing folder: inside it); a folder artifact becomes a folder. Returns the path."""
    from ..store import queries

    found = queries.artifact(store, run_id, name)
    target = Path(PurePosixPath(name).name) if dest is None else dest
    if target.is_dir() and found["kind"] != "dir":
        target = target / PurePosixPath(name).name
    if found["kind"] != "dir":
        _write(store, found["sha256"], target)
        return target
    for f in found["files"]:
        _write(store, f["sha256"], target / check_name(f["path"]))
    return target


def _write(store: Store, sha256: str, target: Path) -> None:
    """Stream a blob to ``target`` through a temporary name (never half a file there)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            for piece in blobs.chunks(store, sha256):
                out.write(piece)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
