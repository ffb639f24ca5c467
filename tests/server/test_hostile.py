"""Hostile input: every answer is a 4xx naming the problem, never a 500, never data from
outside the store; and the store is intact afterwards."""

import json
import urllib.parse

import pytest
from tornado.httpclient import AsyncHTTPClient

from jupyter_mlops.server.endpoints import ENDPOINTS

SQL = "x' OR '1'='1'; DROP TABLE runs; --"


@pytest.fixture
def raw(http_server_client, jp_http_port, jp_base_url, jp_auth_header):
    """``await raw("runs/..%2Fx?limit=1")``: the path sent exactly as written."""

    async def fetch(path: str, method: str = "GET", body: bytes | None = None):
        response = await AsyncHTTPClient().fetch(
            f"http://127.0.0.1:{jp_http_port}{jp_base_url}jupyter-mlops/api/{path}",
            method=method, body=body, headers=jp_auth_header, raise_error=False,
            request_timeout=30)
        try:
            payload = json.loads(response.body) if response.body else None
        except ValueError:
            payload = response.body
        return response.code, payload

    return fetch


def _get_paths(run_id: str) -> list[str]:
    return [e.path.replace("{run_id}", run_id).replace("{key}", "auc")
            .replace("{name}", "churn").replace("{report_id}", run_id)
            for e in ENDPOINTS if e.method == "GET"]


def _string_params():
    for e in ENDPOINTS:
        for p in e.params:
            if e.method == "GET" and p.type == "string" and p.where == "query":
                yield e, p


async def test_sql_in_every_string_parameter(raw, run_id, api):
    for endpoint, param in _string_params():
        path = endpoint.path.lstrip("/").replace("{run_id}", run_id)
        code, body = await raw(f"{path}?{urllib.parse.urlencode({param.name: SQL})}")
        assert 200 <= code < 500, (endpoint.path, param.name, code, body)
        if code >= 400:
            assert body["detail"], body
    for template in ("runs/{}", "runs/{}/cells", "runs/{}/metrics/x", "models/{}/versions",
                     "drift/reports/{}"):
        code, body = await raw(template.format(urllib.parse.quote(SQL, safe="")))
        assert code in (400, 404) and body["error"] in ("bad parameter", "not found"), body
    code, body = await api("runs")
    assert code == 200 and [r["run_id"] for r in body["runs"]] == [run_id]


@pytest.mark.parametrize("path", ["runs/..%2F..%2Fetc%2Fpasswd", "runs/..%2F..%2F..%2Fetc%2F"
                                  "passwd/cells", "drift/reports/..%2F..%2Fetc%2Fpasswd",
                                  "models/..%2F..%2Fetc%2Fpasswd/versions",
                                  "runs/0123456789/metrics/..%2F..%2Fetc%2Fpasswd"])
async def test_path_traversal_in_ids(raw, path):
    code, body = await raw(path)
    assert code in (400, 404), (code, body)
    assert "root:" not in json.dumps(body) and body["detail"]


@pytest.mark.parametrize(("query", "says"), [
    ("runs?limit=1000000000", "limit must be between 1 and 1000"),
    ("runs?limit=-5", "limit must be between"),
    ("runs?limit=ten", "limit must be a whole number"),
    ("runs?cursor=-1", "is not one this API issued"),
    ("runs?cursor=LTE6YWJjZGVmZw", "is not one this API issued"),  # "-1:abcdefg"
    ("runs?order=name;drop", "cannot sort by 'name;drop': give one of started, name"),
    ("runs?experiment=a&experiment=b", "experiment is given 2 times"),
    ("runs?experiement=a", "unknown parameter 'experiement'"),
    ("runs?experiment=a%00b", "contains a NUL character"),
    ("runs/compare", "ids is required"),
    ("runs/compare?ids=" + ",".join(["abcdef"] * 51), "ids takes 1 to 50"),
    ("runs/compare?ids=abcdef,..%2Fetc", "run_id '../etc' is not valid"),
    ("lineage?node=x&depth=1000000000", "depth must be between 1 and 50"),
    ("lineage?node=x&kind=table", "kind must be one of"),
    ("lineage?node=" + "x" * 600, "node is too long (600 characters; at most 512)"),
    ("runs/abc", "run_id 'abc' is not valid"),
    ("drift/reports?limit=0", "limit must be between 1 and 1000"),
])
async def test_bad_parameters_are_400_with_the_reason(raw, query, says):
    code, body = await raw(query)
    assert code == 400 and body["error"] == "bad parameter", (code, body)
    assert says in body["detail"], body["detail"]


async def test_unicode_and_huge_strings(raw, api):
    code, body = await api("runs", experiment="ünïcödé 🙂 \u202e", q="名前")
    assert (code, body["runs"]) == (200, [])
    code, body = await api("lineage", node="🙂🙂🙂🙂🙂🙂🙂")
    assert code == 404 and "unknown run id" in body["detail"]
    code, body = await api("runs", q="y" * 60_000)
    assert code == 400 and "q is too long (60,000 characters; at most 512)" in body["detail"]
    try:  # tornado closes the connection on a request head over 64 KiB: no answer, no data
        code, body = await raw(f"runs?q={'y' * 1_000_000}")
        assert 400 <= code < 500, code
    except OSError:
        pass
    code, body = await raw("models/churn/aliases", method="POST",
                           body=json.dumps({"version": 1, "alias": "z" * 1_000_000}).encode())
    assert code == 400 and "the body is 1,000,0" in body["detail"]


@pytest.mark.parametrize(("body", "says"), [
    (b"not json", "the body is not JSON"),
    (b"[1, 2]", "body: [1, 2] is not of type 'object' (expected a JSON object with version "
                "(required), alias, gate)"),
    (b'{"version": "1"}', "body.version: '1' is not of type 'integer'"),
    (b'{"version": -1}', "body.version: -1 is less than the minimum of 1"),
    (b'{"version": 1.0}', "body.version: 1.0 is not of type 'integer'"),
    (b'{"version": true}', "body.version: True is not of type 'integer'"),
    (b'{"version": ' + b"9" * 400 + b"}", "body.version: 9999999999999999999999999999999999999999"
                                         "… (400 characters) is greater than the maximum"),
    (b'{"alias": "x"}', "body: 'version' is a required property"),
    (b'{"version": 1, "alias": "../x"}', "alias '../x' is not valid"),
    (b'{"version": 1, "gate": {"auc": "better"}}', "is not understood"),
    (b'{"version": 1, "gate": {"auc": 5}}', "body.gate.auc: 5 is not of type 'string'"),
    (b'{"version": 1, "sql": "DROP TABLE runs"}',
     "body: Additional properties are not allowed ('sql' was unexpected)"),
])
async def test_bad_promotions_are_400(raw, body, says):
    code, answer = await raw("models/churn/aliases", method="POST", body=body)
    assert code == 400 and says in answer["detail"], (code, answer)


@pytest.mark.parametrize(("body", "says"), [
    (b'{"params": 3}', "body.params: 3 is not of type 'object' (expected null or a JSON object "
                       "with params)"),
    (b'{"params": {}, "now": true}', "('now' was unexpected)"),
    (b"[]", "body: [] is not of type 'object', 'null'"),
])
async def test_bad_schedule_bodies_are_400_before_the_schedule_is_looked_up(raw, body, says):
    code, answer = await raw("schedules/nope/run", method="POST", body=body)
    assert code == 400 and says in answer["detail"], (code, answer)


async def test_unknown_things_are_404(raw, run_id):
    for path, says in ((f"runs/{'f' * 32}", "unknown run id"),
                       (f"runs/{run_id}/metrics/nope", "has no metric 'nope'"),
                       ("models/nope/versions", "no model named 'nope'"),
                       ("drift/reports/ffffffffff", "unknown drift report id"),
                       ("lineage?node=churn:9", "no model version 'churn:9'"),
                       ("lineage?node=abc&kind=dataset", "no lineage is recorded")):
        code, body = await raw(path)
        assert code == 404 and says in body["detail"], (path, code, body)
    code, body = await raw("models/churn/aliases", method="POST", body=b'{"version": 9}')
    assert code == 404 and "no model version" in body["detail"]
    code, body = await raw("runs", method="POST", body=b"{}")
    assert code == 405 and body["detail"] == "this path takes GET"


@pytest.mark.parametrize("node", ["churn:" + "9" * 45, "churn:²", "churn:x", "churn:0",
                                  "churn:" + "9" * 400, "churn%40", "..%2Fx:3"])
async def test_versions_and_references_are_checked_before_any_query(raw, node):
    code, body = await raw(f"lineage?node={node}")
    assert code == 400 and body["error"] == "bad reference", (code, body)
    assert "is not valid: versions are whole numbers" in body["detail"] or \
        "is not a model reference" in body["detail"], body
