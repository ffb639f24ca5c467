"""``jupyter mlops alerts …`` as a user types it: bad configuration refused in one line,
a test message sent, the history shown."""

from __future__ import annotations

import json
import subprocess
import sys

from jupyter_mlops import events as ev
from jupyter_mlops.alerts.delivery import Deliverer
from jupyter_mlops.store import Store

from .conftest import Events
from .receivers import hook


def cli(store: Store, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jupyter_mlops.cli", "--store",
                           str(store.root), "alerts", *args], capture_output=True, text=True,
                          timeout=120)


def test_add_list_test_and_history(store: Store, events: Events) -> None:
    with hook() as h:
        bad = cli(store, "add", "channel", "ops", "--webhook", "hooks.example.com")
        assert bad.returncode == 2
        assert bad.stderr.strip().splitlines() == [
            "jupyter-mlops: error: channel 'ops': 'hooks.example.com' is not an http(s) URL; "
            "write it like https://hooks.example.com/path"]
        assert cli(store, "add", "channel", "ops", "--webhook", h.url,
                   "--format", "mattermost").returncode == 0
        refused = cli(store, "add", "rule", "r", "--on", "user", "--channel", "pager")
        assert "no channel named 'pager'" in refused.stderr and refused.returncode == 2
        assert cli(store, "add", "rule", "mine", "--on", "user", "--channel", "ops",
                   "--min-severity", "error").returncode == 0
        listed = cli(store, "list").stdout
        assert f"channel ops: webhook {h.url}" in listed
        assert "rule mine: user → ops (min_severity=error)" in listed
        tested = cli(store, "test", "ops")
        assert tested.stdout.strip() == "ops: HTTP 200", tested.stderr
        assert h.wait(1)[0]["body"]["text"].startswith("*[info] test message from jupyter-mlops*")
        events.write(ev.ALERT, {"title": "too quiet", "severity": "warning"})
        events.write(ev.ALERT, {"title": "on fire", "text": "", "severity": "error"})
        Deliverer(store).tick()
        found = json.loads(cli(store, "history", "--json").stdout)
        assert [(m["title"], m["state"]) for m in found] == [("on fire", "delivered")]
    down = cli(store, "test", "ops")
    assert down.returncode == 2 and "the webhook could not be reached" in down.stderr
