"""Authentication: every endpoint refuses anonymous requests; POSTs with a cookie need XSRF."""

import json

from tornado.httpclient import AsyncHTTPClient

from jupyter_mlops.server.endpoints import ENDPOINTS


def _url(port, base, path):
    return f"http://127.0.0.1:{port}{base}jupyter-mlops/api/{path}"


def test_no_handler_lacks_authentication(jp_serverapp):
    """jupyter_server's own check (it warns or refuses to start on undecorated handlers)."""
    web_app = jp_serverapp.web_app
    ours = [rule for rule in web_app.default_router.rules[0].target.rules
            if "jupyter-mlops" in str(rule.matcher.regex.pattern)]
    assert len(ours) == len({e.path for e in ENDPOINTS}) + 1  # + openapi.json
    for rule in ours:
        assert web_app._check_handler_auth(rule.matcher, rule.target) == []


async def test_every_endpoint_refuses_without_a_token(http_server_client, jp_http_port,
                                                      jp_base_url):
    client = AsyncHTTPClient()
    paths = [(e.method, e.path.strip("/").replace("{run_id}", "abcdef0123").replace(
        "{key}", "auc").replace("{name}", "churn").replace("{report_id}", "abcdef"))
             for e in ENDPOINTS] + [("GET", "openapi.json")]
    for method, path in paths:
        for headers in ({}, {"Authorization": "token wrong"}):
            response = await client.fetch(
                _url(jp_http_port, jp_base_url, path), method=method, headers=headers,
                body=b'{"version": 1}' if method == "POST" else None, raise_error=False)
            body = json.loads(response.body)
            assert response.code == 403, (method, path, response.code)
            assert body["error"] == "forbidden" and "token" in body["detail"]


async def test_posts_with_the_login_cookie_need_the_xsrf_token(
        http_server_client, jp_http_port, jp_base_url, jp_serverapp, store):
    client = AsyncHTTPClient()
    token = jp_serverapp.identity_provider.token
    login = await client.fetch(f"http://127.0.0.1:{jp_http_port}{jp_base_url}?token={token}",
                               follow_redirects=False, raise_error=False)
    cookies = [c.split(";")[0] for c in login.headers.get_list("Set-Cookie")]
    assert any(c.startswith("username-") for c in cookies), cookies
    url = _url(jp_http_port, jp_base_url, "models/churn/aliases")
    cookie = "; ".join(cookies)
    refused = await client.fetch(url, method="POST", body=b'{"version": 1}',
                                 headers={"Cookie": cookie}, raise_error=False)
    assert refused.code == 403 and "_xsrf" in json.loads(refused.body)["detail"]
    xsrf = "jupyter-mlops-test-xsrf"
    done = await client.fetch(url, method="POST", body=b'{"version": 1}', raise_error=False,
                              headers={"Cookie": f"{cookie}; _xsrf={xsrf}",
                                       "X-XSRFToken": xsrf})
    assert done.code == 200, done.body
    assert json.loads(done.body)["aliases"] == ["champion"]
    read = await client.fetch(_url(jp_http_port, jp_base_url, "models"),
                              headers={"Cookie": cookie})
    assert json.loads(read.body)["models"][0]["aliases"] == {"champion": 1}
