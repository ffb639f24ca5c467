"""Alerts through the server: the extension delivers (no daemon runs), and the REST API
shows the configuration and the history."""

import asyncio

from jupyter_mlops import events as ev
from jupyter_mlops.alerts import config
from jupyter_mlops.store.spool import SpoolWriter
from tests.alerts.receivers import hook


async def test_the_server_delivers_and_shows_the_history(api, store, jp_serverapp):
    with hook() as h:
        config.add_channel(store, "ops", {"type": "webhook", "url": h.url})
        config.add_rule(store, "mine", {"on": ["user"], "channels": ["ops"]})
        await jp_serverapp.extension_manager.start_all_extensions()  # ingest + delivery
        writer = SpoolWriter(store)
        writer.append(ev.Event(ev.ALERT, {"title": "from a kernel", "severity": "error"}))
        writer.flush()
        [request] = await asyncio.to_thread(h.wait, 1)
        writer.close()
    assert request["body"]["title"] == "from a kernel"
    code, body = await api("alerts")
    assert code == 200 and body["channels"]["ops"]["url"] == h.url
    assert body["rules"]["mine"]["on"] == ["user"]
    for _ in range(100):  # the outcome is ingested by the next background ingest
        code, body = await api("alerts", "history")
        if body["messages"] and body["messages"][0]["state"] == "delivered":
            break
        await asyncio.sleep(0.1)
    (message,) = body["messages"]
    assert message["state"] == "delivered" and message["key"] == request["body"]["key"]
    assert message["created"].endswith("+00:00")
    code, body = await api("alerts", "history", state="lost")
    assert code == 400 and "state must be one of queued" in body["detail"]
