"""The OpenAPI document matches the handlers and docs/rest.md, and the API survives fuzzing
from it: no 500s, every answer conforming to the document."""

import asyncio

from hypothesis import HealthCheck, given, settings

from jupyter_mlops.server import openapi
from tests.conftest import ROOT

EXAMPLES = 25  # per operation: a bounded fuzz that fits in the test suite


async def test_the_document_is_served_and_lists_every_route(api, jp_serverapp, jp_base_url):
    code, doc = await api("openapi.json")
    assert code == 200 and doc == openapi.document(jp_base_url)
    assert doc["servers"] == [{"url": "/a%40b/jupyter-mlops/api"}]
    routed = {r.matcher.regex.pattern for r in
              jp_serverapp.web_app.default_router.rules[0].target.rules
              if "jupyter-mlops" in r.matcher.regex.pattern}
    for path, operations in doc["paths"].items():
        assert any(pattern.replace("(?P<", "{").replace(">[^/]+)", "}").endswith(
            f"{openapi.PREFIX}{path}/?$") for pattern in routed), path
        for operation in operations.values():
            assert {"200", "403"} <= set(operation["responses"])


def test_request_bodies_say_they_take_no_other_fields():
    """The handlers refuse a field a body does not name; the schema must say so, or a
    client (schemathesis: ST202) sends extras the document allows."""
    bodies = [operation["requestBody"]["content"]["application/json"]["schema"]
              for operations in openapi.document()["paths"].values()
              for operation in operations.values() if "requestBody" in operation]
    assert bodies and all(b["additionalProperties"] is False for b in bodies)


def test_docs_rest_md_is_generated_from_the_document():
    text = (ROOT / "docs" / "rest.md").read_text()
    assert text.split("<!-- reference -->\n\n", 1)[1] == openapi.markdown(), (
        "docs/rest.md is stale: run python -m jupyter_mlops.server.openapi docs/rest.md")


async def test_fuzzing_from_the_document(http_server_client, jp_http_port, jp_base_url,
                                         jp_auth_header):
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_dict(openapi.document(jp_base_url))
    base = f"http://127.0.0.1:{jp_http_port}{jp_base_url}jupyter-mlops/api"
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    calls = []

    def fuzz() -> None:  # blocking HTTP: in a thread, while the loop serves
        for result in schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def check(case):
                response = case.call(base_url=base, headers=jp_auth_header, timeout=30)
                calls.append(response.status_code)
                case.validate_response(response, checks=checks)

            check()

    await asyncio.to_thread(fuzz)
    print(f"{len(calls)} fuzzed requests: {sorted(set(calls))}")
    assert len(calls) >= 5 * len(openapi.ENDPOINTS)
    assert 500 not in calls and {200, 400, 404} <= set(calls)
