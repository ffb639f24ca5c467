"""Under load: 50 concurrent requests while 4 real kernels write and the server ingests."""

import asyncio
import time

from tornado.httpclient import AsyncHTTPClient

WRITE = ("import time, jupyter_mlops as mlops\n"
         "for i in range(150):\n"
         "    mlops.log_metric('m', i, step=i)\n"
         "    time.sleep(0.02)")


async def test_concurrent_requests_while_kernels_write(
        http_server_client, jp_http_port, jp_base_url, jp_auth_header, kernel_factory,
        run_id, jp_serverapp):
    await jp_serverapp.extension_manager.start_all_extensions()  # the background ingest
    kernels = [kernel_factory() for _ in range(4)]
    for k in kernels:
        k.run("%load_ext jupyter_mlops")
    busy = [k.kc.execute(WRITE) for k in kernels]  # not awaited: they write meanwhile
    base = f"http://127.0.0.1:{jp_http_port}{jp_base_url}jupyter-mlops/api/"
    paths = ["runs", "runs?limit=3", "experiments", f"runs/{run_id}", f"runs/{run_id}/cells",
             f"runs/{run_id}/metrics/loss", "models", "lineage?node=churn:1", "drift/reports",
             "health"]
    client = AsyncHTTPClient(force_instance=True, max_clients=50)

    async def timed(path):
        started = time.perf_counter()
        response = await client.fetch(base + path, headers=jp_auth_header, raise_error=False,
                                      request_timeout=30)
        return response.code, time.perf_counter() - started, path

    results = []
    for _ in range(3):  # three waves over the kernels' ~3 s of writing
        results += await asyncio.gather(*(timed(paths[i % len(paths)]) for i in range(50)))
        await asyncio.sleep(0.5)
    client.close()
    for k, msg_id in zip(kernels, busy, strict=True):
        reply = k.kc.get_shell_msg(timeout=60)
        assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "ok"
    failed = [(code, path) for code, _, path in results if code != 200]
    assert failed == []
    slowest = sorted(results, key=lambda r: -r[1])
    print("slowest:", slowest[:3])
    # no request queued behind ingest's work (its batches take seconds): the latency itself
    # is bench_server's; 50 requests and 4 writing kernels on 2 loaded cores took 1.13 s
    assert slowest[0][1] < 3.0, slowest[:5]
    runs = await client_runs(base, jp_auth_header)
    assert len(runs) == 5  # the recorded run and the four kernels', ingested by the server


async def client_runs(base, headers):
    import json

    for _ in range(40):
        response = await AsyncHTTPClient().fetch(base + "runs", headers=headers)
        runs = json.loads(response.body)["runs"]
        if len(runs) == 5 and all("m" in r["metrics"] for r in runs[:4]):
            return runs
        await asyncio.sleep(0.1)
    return runs
