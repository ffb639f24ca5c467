"""Capture inside a real IPython shell, in process (a real kernel: tests/test_kernel.py)."""

import json
from types import SimpleNamespace

import pytest

from jupyter_mlops import events as ev
from jupyter_mlops.capture import hooks, incidents
from jupyter_mlops.capture.hooks import CellCapture
from jupyter_mlops.tracking import Tracker
from tests.conftest import ipython


def _cells(tracker):
    import json

    lines = tracker.writer.path.read_bytes().splitlines()
    return [json.loads(x)["payload"] for x in lines if json.loads(x)["type"] == ev.CELL]


@pytest.fixture
def shell(store):
    ip = ipython()
    tracker = Tracker(store)
    capture = CellCapture(ip, tracker, SimpleNamespace(fingerprint=True,
                                                        fingerprint_max_bytes=10**9))
    capture.register()
    ip.tracker = tracker
    yield ip
    capture.unregister()
    tracker.end_run()
    tracker.writer.close()
    ip.reset()


def test_reads_writes_and_in_place_changes(shell):
    shell.run_cell("import numpy as np\na = np.arange(5)\nb = 2", store_history=True)
    shell.run_cell("c = a * b\nprint(len(a))", store_history=True)
    shell.run_cell("a[0] = 9", store_history=True)
    shell.run_cell("a.sort()", store_history=True)
    cells = _cells(shell.tracker)
    assert [c["writes"] for c in cells] == [["a", "b", "np"], ["c"], ["a"], []]
    assert cells[1]["reads"] == ["a", "b"]
    roles = [(d["name"], d["role"]) for d in cells[1]["data"]]
    assert roles == [("a", "read"), ("c", "wrote")]
    fp_before = cells[1]["data"][0]["fingerprint"]
    assert cells[2]["data"][-1]["fingerprint"] != fp_before  # a[0] = 9 changed a


def test_method_calls_drop_cached_fingerprints(shell):
    shell.run_cell("import numpy as np\na = np.array([3, 1, 2])", store_history=True)
    shell.run_cell("x = a.sum()", store_history=True)
    shell.run_cell("a.sort()", store_history=True)  # in place, identity unchanged
    shell.run_cell("y = a.sum()", store_history=True)
    cells = _cells(shell.tracker)
    assert cells[1]["data"][0]["fingerprint"] != cells[3]["data"][0]["fingerprint"]


def test_nested_silent_and_blank_runs_are_not_recorded(shell):
    shell.run_cell("get_ipython().run_cell('inner = 1')", store_history=True)
    shell.run_cell("hidden = 1", silent=True)
    shell.run_cell("   \n", store_history=True)
    shell.run_cell("nohistory = 1", store_history=False)
    cells = _cells(shell.tracker)
    assert len(cells) == 1
    assert cells[0]["source"] == "get_ipython().run_cell('inner = 1')"
    assert cells[0]["writes"] == ["inner"]


def test_errors_are_recorded_with_type_and_message(shell):
    shell.run_cell("1/0", store_history=True)
    shell.run_cell("x = (", store_history=True)
    cells = _cells(shell.tracker)
    assert [(c["status"], c["error_type"]) for c in cells] == [
        ("error", "ZeroDivisionError"), ("error", "SyntaxError")]
    assert "division by zero" in cells[0]["error_message"]


def test_capture_failure_never_reaches_the_cell(shell, store, monkeypatch, caplog, capsys):
    def broken(obj):
        raise RuntimeError("boom")

    monkeypatch.setattr(hooks, "describe", broken)
    r1 = shell.run_cell("import numpy as np\narr = np.ones(3)\narr.sum()", store_history=True)
    r2 = shell.run_cell("arr.sum() * 2", store_history=True)
    assert r1.success and r1.result == 3.0
    assert r2.success and r2.result == 6.0
    assert caplog.records == [] and capsys.readouterr().err == ""  # nothing in the cell
    logged = [json.loads(x) for x in incidents.log_path(store.root).read_text().splitlines()]
    assert [(e["where"], e["error"]) for e in logged] == [
        ("cell capture after the cell", "RuntimeError: boom"),
        ("cell capture before the cell", "RuntimeError: boom")]


def test_params_and_metrics_know_their_cell(shell):
    shell.run_cell("t = get_ipython().tracker\nt.log_metrics({'m': 1})", store_history=True)
    shell.tracker.log_params({"outside": 1})
    import json

    events = [json.loads(x) for x in shell.tracker.writer.path.read_bytes().splitlines()]
    metric = next(e for e in events if e["type"] == ev.METRICS)
    param = next(e for e in events if e["type"] == ev.PARAMS)
    assert metric["payload"]["cell_seq"] == 1
    assert param["payload"]["cell_seq"] is None
