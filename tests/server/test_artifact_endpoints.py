"""Artifacts over the REST API: the list, and streamed downloads that are path-safe."""

import asyncio

from tornado.httpclient import HTTPClientError

import jupyter_mlops as mlops
from jupyter_mlops import events as ev
from jupyter_mlops import tracking
from jupyter_mlops.store.ingest import ingest


async def _raw(jp_fetch, run_id, **params):
    try:
        response = await jp_fetch("jupyter-mlops", "api", "runs", run_id, "artifacts",
                                  "download", params=params)
    except HTTPClientError as e:
        response = e.response
    return response


def _log(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.bin").write_bytes(bytes(range(256)) * 40_000)  # 10 MB
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "page.html").write_text("<script>alert(1)</script>")
    mlops.log_artifact("big.bin", name="data/big.bin")
    mlops.log_artifact("d", name="site")
    mlops.log_text("<svg xmlns='http://www.w3.org/2000/svg'/>", "pic.svg")
    t = tracking.tracker()
    ingest(t.store)  # the server reads what is ingested (its background ingest is off here)
    return t.run_id


async def test_list_and_stream_artifacts(api, jp_fetch, store, tmp_path, monkeypatch):
    run_id = await asyncio.to_thread(_log, tmp_path, monkeypatch)
    code, body = await api("runs", run_id, "artifacts")
    assert code == 200, body
    assert [(a["name"], a["kind"], a["size"]) for a in body["artifacts"]] == [
        ("data/big.bin", "file", 10_240_000), ("pic.svg", "text", 41), ("site", "dir", 25)]
    assert body["artifacts"][0]["ts"].endswith("+00:00")
    big = await _raw(jp_fetch, run_id, name="data/big.bin")
    assert big.code == 200 and big.body == bytes(range(256)) * 40_000
    assert big.headers["Content-Type"] == "application/octet-stream"
    assert big.headers["Content-Disposition"] == (
        "attachment; filename=\"big.bin\"; filename*=UTF-8''big.bin")
    svg = await _raw(jp_fetch, run_id, name="pic.svg")
    assert svg.headers["Content-Type"] == "image/svg+xml"
    assert svg.headers["Content-Security-Policy"] == "sandbox"
    assert svg.headers["X-Content-Type-Options"] == "nosniff"
    page = await _raw(jp_fetch, run_id, name="site", file="page.html")
    assert page.code == 200 and page.headers["Content-Type"] == "text/html"
    assert page.body == b"<script>alert(1)</script>"
    folder = await _raw(jp_fetch, run_id, name="site")
    assert folder.code == 404 and b"'site' is a folder of 1 files; give file=" in folder.body
    for name in ("../../etc/passwd", "/etc/passwd", "nope"):
        missing = await _raw(jp_fetch, run_id, name=name)
        assert missing.code == 404, name
        assert f"has no artifact named {name!r}".encode() in missing.body
    assert (await _raw(jp_fetch, "zzzzzzzz", name="x")).code == 404


async def test_a_hostile_record_never_reads_outside_the_store(api, jp_fetch, store):
    run_id = tracking.tracker().ensure_run()
    tracking.tracker().emit(ev.ARTIFACT, {"run_id": run_id, "name": "evil", "kind": "file",
                                          "sha256": "../../../../etc/passwd", "size": 10,
                                          "media_type": "text/plain"})
    ingest(store)
    evil = await _raw(jp_fetch, run_id, name="evil")
    assert evil.code == 503 and b"is not an artifact's sha256" in evil.body
