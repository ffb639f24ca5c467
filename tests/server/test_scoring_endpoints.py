"""``POST /models/{name}/retire`` and ``GET /scoring/batches`` on a real server: a retired
version is recorded with who retired it, and asking for it by alias is a 409."""

from __future__ import annotations


async def test_retire_a_version_through_the_api(api, store):
    code, body = await api("models", "churn", "aliases", method="POST",
                           body={"version": 1, "alias": "champion"})
    assert code == 200
    code, body = await api("models", "churn", "retire", method="POST",
                           body={"version": 1, "reason": "superseded"})
    assert code == 200 and (body["name"], body["version"]) == ("churn", 1)
    assert body["retired"].endswith("+00:00") or "T" in body["retired"]
    code, body = await api("models", "churn", "aliases", method="POST",
                           body={"version": 1, "alias": "staging"})
    assert (code, body["error"]) == (409, "version retired")
    assert "churn:1 is retired and cannot be promoted" in body["detail"]
    code, body = await api("models", "churn", "retire", method="POST", body={"version": 9})
    assert code == 404
    code, body = await api("models", "churn", "retire", method="POST",
                           body={"version": 1, "extra": 1})
    assert code == 400
    code, body = await api("models", "churn", "versions")
    retired = {v["version"]: v.get("retired") for v in body["versions"]}
    assert retired[1] is not None and retired[2] is None


async def test_batches_are_listed(api, store):
    code, body = await api("scoring", "batches", model="churn")
    assert (code, body) == (200, {"batches": [], "metrics": []})
