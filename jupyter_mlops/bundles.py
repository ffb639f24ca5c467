"""Bundles: a run's or a model version's lineage in one file, for a store with no network.

A bundle is a zip holding ``manifest.json`` (format and version, what was packed, counts,
digests), ``events.jsonl`` (the lineage's events, byte for byte as the spool holds them: its
runs' events, the model versions and the alias moves that point at them) and
``blobs/<sha256>`` (every artifact those events reference). Merging checks the whole bundle
before it writes anything (no path outside it, no link, no member over the size limit, every
digest matching); then it stores the blobs and appends the events this store has not applied
to a spool file, which ingest applies like any other: idempotent by event id, so merging
the same bundle twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from . import blobs
from . import events as ev
from .exceptions import BadBundle
from .registry import model_ref, resolve_on
from .store import Store, queries
from .store.ingest import ingest
from .store.spool import SpoolWriter, archived_files, read_complete, spool_files
from .tracking import tracker

FORMAT = "jupyter-mlops-bundle"
VERSION = 1
#: The largest member a merge accepts (uncompressed): a zip bomb is refused before it is read.
MAX_MEMBER = 8 << 30
_BLOB = re.compile(r"blobs/([0-9a-f]{64})")
_RUN_ID = re.compile(rb'"run_id":\s*"([0-9a-f]+)"')
_SHA = re.compile(r"[0-9a-f]{64}")
#: Payload fields that name a blob (a folder artifact's ``files`` hold ``sha256`` too).
_BLOB_FIELDS = frozenset({"artifact", "sha256", "notebook_sha", "output_sha"})


@dataclass
class Packed:
    path: Path
    events: int
    runs: int
    model_versions: int
    blobs: int
    size: int  # bytes of the bundle file


@dataclass
class Merged:
    events: int  # in the bundle
    new: int  # of those, not in this store before
    blobs: int  # verified and stored


def pack(ref: str, to: str | os.PathLike[str], *, store: Store | None = None) -> Packed:
    """Write the lineage of ``ref`` (a run id or prefix, ``name:version``, ``name@alias``)
    and the artifacts it references to the bundle file ``to``."""
    store = store or tracker().store
    with queries.reading(store) as con:
        if model_ref(ref) is not None:
            version = resolve_on(con, ref)
            node = ("model_version", f"{version.name}:{version.version}")
        else:
            node = ("run", queries.resolve_run(con, ref))
        runs, versions = queries.lineage_members(con, *node)
    lines = _lineage_events(store, runs, versions)
    shas = sorted({sha for _, event in lines for sha in _blob_refs(event["payload"])})
    data = b"".join(line for line, _ in lines)
    target = Path(to)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    sizes = {}
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            zf.writestr("events.jsonl", data, zipfile.ZIP_DEFLATED)
            for sha in shas:  # each checked against its digest as it is read
                with zf.open(f"blobs/{sha}", "w", force_zip64=True) as out:
                    for piece in blobs.chunks(store, sha):
                        out.write(piece)
                sizes[sha] = zf.getinfo(f"blobs/{sha}").file_size
            manifest = {"format": FORMAT, "version": VERSION, "ref": ref, "node": list(node),
                        "user": ev.USER, "host": ev.HOST,
                        "events": {"count": len(lines),
                                   "sha256": hashlib.sha256(data).hexdigest()},
                        "runs": sorted(runs),
                        "model_versions": [f"{n}:{v}" for n, v in sorted(versions)],
                        "blobs": sizes}
            zf.writestr("manifest.json", json.dumps(manifest, indent=1), zipfile.ZIP_DEFLATED)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return Packed(target, len(lines), len(runs), len(versions), len(shas),
                  target.stat().st_size)


def _lineage_events(store: Store, runs: set[str], versions: set[tuple[str, int]]
                    ) -> list[tuple[bytes, dict[str, Any]]]:
    """(line, event) of every event of ``runs`` and of the versions and alias moves of
    ``versions``, each once, in id (time) order, from the archive and the spool."""
    found: dict[str, tuple[bytes, dict[str, Any]]] = {}
    for path in [*archived_files(store), *spool_files(store)]:
        for line in read_complete(path, 0).splitlines(keepends=True):
            match = _RUN_ID.search(line)
            if not ((match and match.group(1).decode() in runs)
                    or b'"model_version"' in line or b'"alias_set"' in line):
                continue
            try:
                event = json.loads(line)
                payload = event["payload"]
                ours = payload.get("run_id") in runs or (
                    event["type"] in (ev.MODEL_VERSION, ev.ALIAS_SET)
                    and (payload.get("name"), payload.get("version")) in versions)
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # not an event: ingest quarantined it
            if ours:
                found.setdefault(event["id"], (line, event))
    return [found[i] for i in sorted(found)]


def _blob_refs(value: Any) -> set[str]:
    """The sha256 of every blob a payload names, at any depth."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _BLOB_FIELDS and isinstance(item, str) and _SHA.fullmatch(item):
                found.add(item)
            else:
                found |= _blob_refs(item)
    elif isinstance(value, list):
        for item in value:
            found |= _blob_refs(item)
    return found


def merge(bundle: str | os.PathLike[str], *, store: Store | None = None,
          max_member: int = MAX_MEMBER) -> Merged:
    """Merge a bundle made by :func:`pack` into this store: everything in it verified
    first, then its artifacts stored and its events applied through ingest (merging twice
    changes nothing). A bundle that is not one, or is hostile, is refused whole."""
    store = store or tracker().store
    store.ensure()
    try:
        zf = zipfile.ZipFile(bundle)
    except (zipfile.BadZipFile, OSError) as e:
        raise BadBundle(f"{bundle} is not a bundle ({e}); make one with "
                        f"`jupyter mlops pack`") from None
    tmp = store.root / f".merge-{os.getpid()}-{os.urandom(4).hex()}"
    try:
        with zf:
            infos = _members(zf, max_member)
            manifest = _manifest(zf, infos)
            events = _events(zf, infos, manifest)
            files = _blobs(zf, infos, manifest, tmp)
        for path in files:  # all checked: now the store changes
            blobs.put_file(store, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with queries.reading(store) as con:
        known = queries.known_events(con, [e.id for e in events])
    new = [e for e in events if e.id not in known]
    if new:
        writer = SpoolWriter(store)
        writer.write(new)
        writer.close()
        ingest(store)
    return Merged(len(events), len(new), len(files))


def _refuse(name: str, why: str) -> BadBundle:
    return BadBundle(f"bundle member {name!r} {why}; refusing the bundle (nothing merged)")


def _members(zf: zipfile.ZipFile, max_member: int) -> dict[str, zipfile.ZipInfo]:
    """The members by name, once each path, link and size is known to be safe."""
    infos: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or re.match(r"[A-Za-z]:", name):
            raise _refuse(name, "points outside the bundle")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _refuse(name, "is a symbolic link")
        if name not in ("manifest.json", "events.jsonl") and not _BLOB.fullmatch(name):
            raise _refuse(name, "is not part of a bundle (manifest.json, events.jsonl, "
                                "blobs/SHA256)")
        if name in infos:
            raise _refuse(name, "appears twice")
        if info.file_size > max_member:
            raise _refuse(name, f"is {info.file_size:,} bytes, over the limit of "
                                f"{max_member:,}")
        infos[name] = info
    for name in ("manifest.json", "events.jsonl"):
        if name not in infos:
            raise BadBundle(f"the bundle has no {name}; make bundles with `jupyter mlops pack`")
    return infos


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sink: IO[bytes] | None = None
          ) -> tuple[bytes, str]:
    """(bytes unless written to ``sink``, sha256) of one member; a damaged one is refused."""
    digest, kept = hashlib.sha256(), []
    try:
        with zf.open(info) as f:
            while piece := f.read(1 << 20):
                digest.update(piece)
                if sink is None:
                    kept.append(piece)
                else:
                    sink.write(piece)
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as e:
        raise _refuse(info.filename, f"cannot be read ({e})") from None
    return b"".join(kept), digest.hexdigest()


def _manifest(zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> dict[str, Any]:
    try:
        manifest = json.loads(_read(zf, infos["manifest.json"])[0])
        format_, version = manifest["format"], manifest["version"]
        sizes, counted = manifest["blobs"], manifest["events"]
        if not (isinstance(counted["count"], int) and isinstance(counted["sha256"], str)):
            raise TypeError("events needs an integer count and a sha256")
    except (ValueError, KeyError, TypeError) as e:
        raise _refuse("manifest.json", f"is not a bundle manifest ({e!r})") from None
    if format_ != FORMAT:
        raise _refuse("manifest.json", f"names format {format_!r}, not {FORMAT!r}")
    if not isinstance(version, int) or version > VERSION:
        raise _refuse("manifest.json", f"is version {version!r}, newer than this "
                                       f"jupyter-mlops reads ({VERSION}); upgrade it")
    members = {m.group(1): infos[n].file_size for n in infos if (m := _BLOB.fullmatch(n))}
    if not isinstance(sizes, dict) or sizes != members:
        raise _refuse("manifest.json", "does not list the blobs the bundle holds")
    return manifest


def _events(zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo],
            manifest: dict[str, Any]) -> list[ev.Event]:
    data, sha = _read(zf, infos["events.jsonl"])
    if sha != manifest["events"]["sha256"]:
        raise _refuse("events.jsonl", "does not match the digest its manifest gives")
    events = []
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            events.append(ev.Event.from_dict(json.loads(line)))
        except ValueError as e:
            raise _refuse("events.jsonl", f"line {number} is not an event ({e})") from None
    if len(events) != manifest["events"]["count"]:
        raise _refuse("events.jsonl", f"holds {len(events)} events, not the "
                                      f"{manifest['events']['count']} its manifest says")
    return events


def _blobs(zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], manifest: dict[str, Any],
           folder: Path) -> list[Path]:
    """Each blob extracted under ``folder`` (in the store, not yet stored), its content
    checked against its name."""
    folder.mkdir()
    files = []
    for sha in sorted(manifest["blobs"]):
        path = folder / sha
        with open(path, "wb") as sink:
            _, found = _read(zf, infos[f"blobs/{sha}"], sink)
        if found != sha:
            raise _refuse(f"blobs/{sha}", f"does not match its digest (its content hashes to "
                                          f"{found[:12]}…)")
        files.append(path)
    return files
