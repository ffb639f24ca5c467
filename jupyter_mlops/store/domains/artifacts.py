"""Artifacts: the files, figures, tables, texts and cell outputs a run keeps.

One row per logged artifact in ``artifacts``; the blob itself lives content-addressed under
the store (``artifacts/<sha256[:2]>/<sha256>``, :mod:`jupyter_mlops.blobs`). A logged
folder is one ``dir`` row (sha256: the hash of its manifest) plus one ``artifact_files`` row
per file, so every blob a run references is a row a garbage collector can join against.
"""

from __future__ import annotations

from ... import events as ev
from .base import Domain, events_table

_ARTIFACT = events_table(ev.ARTIFACT)

#: A file inside a logged folder, relative to it (POSIX separators).
FILE = {"path": "VARCHAR", "sha256": "VARCHAR", "size": "BIGINT"}

DOMAIN = Domain(
    name="artifacts",
    payloads={
        ev.ARTIFACT: {"seq": "INTEGER", "name": "VARCHAR", "kind": "VARCHAR",
                      "sha256": "VARCHAR", "size": "BIGINT", "media_type": "VARCHAR",
                      "files": [FILE]},
    },
    migrations={
        11: """
        CREATE TABLE artifacts (
            event_id VARCHAR, run_id VARCHAR, seq INTEGER, name VARCHAR, kind VARCHAR,
            sha256 VARCHAR, size BIGINT, media_type VARCHAR, ts TIMESTAMP);
        CREATE TABLE artifact_files (
            event_id VARCHAR, path VARCHAR, sha256 VARCHAR, size BIGINT);
        """,
    },
    inserts=[
        f"""INSERT INTO artifacts
        SELECT id, run_id, seq, name, kind, sha256, size, media_type, ts FROM {_ARTIFACT}
        WHERE name IS NOT NULL AND sha256 IS NOT NULL""",
        f"""INSERT INTO artifact_files
        SELECT id, f.path, f.sha256, f.size FROM (
            SELECT id, unnest(files) AS f FROM {_ARTIFACT}
            WHERE name IS NOT NULL AND sha256 IS NOT NULL)
        WHERE f.sha256 IS NOT NULL""",
    ],
)
