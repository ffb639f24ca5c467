"""Issue 14 item 13: ``%mlops log_param`` reads its line as Python; writing a param or metric
never raises into a cell (it records what it can and warns once); magic errors are
``UsageError`` so Run-All and jobs stop."""

from __future__ import annotations

import logging

import pytest
from IPython.core.error import UsageError

from jupyter_mlops import tracking
from jupyter_mlops.store import queries
from tests.conftest import ipython


@pytest.fixture
def t(tracked):
    yield tracking.tracker()
    tracking.tracker().end_run()


@pytest.fixture
def ip(t):
    shell = ipython()
    shell.run_line_magic("load_ext", "jupyter_mlops")
    yield shell
    shell.run_line_magic("unload_ext", "jupyter_mlops")
    shell.reset()


class BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class BadMapping(dict):
    def items(self):
        raise RuntimeError("no items")


def warnings_of(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "jupyter_mlops"]


def test_hostile_values_are_recorded_as_well_as_they_can_be(t, caplog):
    loop: list = [1]
    loop.append(loop)
    deep: list = []
    for _ in range(2000):
        deep = [deep]
    caplog.set_level(logging.WARNING, "jupyter_mlops")
    for _ in range(2):  # the second time: recorded again, no new warning
        tracking.log_params(loop=loop, repr=BadRepr(), big=10**400, huge=10**5000,
                            deep=deep, mapping={"m": BadMapping(a=1)}, nested={1: {2: loop}})
        tracking.log_metric("overflow", 10**400)
        tracking.log_metric("negative", -(10**400), step=2**70)
        tracking.log_metrics({"text": "high", "": 1.0, "ok": 0.5, 3: 1.0})
    params = queries.run(t.store, t.run_id)["params"]
    assert params["loop"] == [1, "[...]"]
    assert params["repr"] == "<tests.hardening.test_log_input.BadRepr>"
    assert params["big"] == str(10**400) and params["huge"] == "16610-bit integer"
    assert params["nested"] == {"1": {"2": [1, "[...]"]}}
    assert str(params["deep"]).count("[") > 30
    assert params["mapping"] == {"m": "{'a': 1}"}
    metrics = queries.run(t.store, t.run_id)["metrics"]
    assert metrics == {"overflow": float("inf"), "negative": float("-inf"), "ok": 0.5}
    assert queries.metric_history(t.store, t.run_id, "negative")["step"].isna().all()
    said = warnings_of(caplog)
    assert len(said) == len(set(said)) == 14, said
    assert "jupyter-mlops: metric 'overflow' is too large for a float: recorded as " \
           "infinity" in said
    assert "jupyter-mlops: metric 'text' must be a number, not str: left out; log other " \
           "values with log_param" in said


@pytest.mark.parametrize("call", [
    lambda: tracking.log_params([1, 2]), lambda: tracking.log_metrics("auc"),
    lambda: tracking.log_param(["unhashable"], 1), lambda: tracking.log_metric(None, 1.0),
    lambda: tracking.log_metric("m", 1.0, step="one"), lambda: tracking.log_params(BadMapping()),
])
def test_bad_calls_warn_and_never_raise(t, caplog, call):
    caplog.set_level(logging.WARNING, "jupyter_mlops")
    call()
    assert len(warnings_of(caplog)) == 1


def test_log_param_reads_the_rest_of_the_line_as_python(ip, t):
    ip.run_cell("alpha = 0.3\nseed = 7", store_history=True)
    ip.run_line_magic("mlops", "log_param alpha seed d={'a': 1} s='x y' "
                               "f=dict(a=1, b=[1, 2])   g={alpha} e=f'{alpha}'")
    ip.run_line_magic("mlops", "log_metric loss=alpha * 2 auc=0.9 --step 3")
    ip.run_line_magic("mlops", "log_metric alpha")  # bare names only
    ip.run_line_magic("mlops", "log_metric --step=4 loss=0.5")
    params = queries.run(t.store, t.run_id)["params"]
    assert params == {"alpha": 0.3, "seed": 7, "d": {"a": 1}, "s": "x y",
                      "f": {"a": 1, "b": [1, 2]}, "g": [0.3], "e": "0.3"}
    history = queries.metric_history(t.store, t.run_id, "loss")
    assert history[["step", "value"]].values.tolist() == [[3, 0.6], [4, 0.5]]


@pytest.mark.parametrize(("line", "says"), [
    ("bogus", "unknown command 'bogus'"),
    ("runs -n -5", "argument -n/--limit: must be at least 1, not -5"),
    ("runs -n 0", "must be at least 1, not 0"),
    ("runs --limit notanumber", "invalid int value"),
    ("log_param", "name at least one variable or KEY=EXPRESSION"),
    ("log_param nothere", "'nothere' is not defined in the notebook"),
    ("log_param 3x", "'3x' is not a variable name"),
    ("log_param d={'a': ", "cannot read"),
    ("log_param x=undefined_name", "x=undefined_name: NameError"),
    ("log_metric m=1 --step x", "--step takes a whole number, not 'x'"),
    ("experiment", "give exactly one experiment name"),
    ("cells zzzzzzzz", "unknown run id 'zzzzzzzz'"),
    ("lineage nope@champion", "model 'nope' has no alias 'champion'"),
])
def test_magic_errors_are_one_line_usage_errors(ip, line, says):
    with pytest.raises(UsageError, match=says) as raised:
        ip.run_line_magic("mlops", line)
    assert "\n" not in str(raised.value)


def test_a_magic_error_stops_the_cell_in_a_real_kernel(kernel_factory):
    kernel = kernel_factory()
    kernel.run("%load_ext jupyter_mlops")
    reply = kernel.run("%mlops runs -n -5\nprint('after')")
    assert (reply["status"], reply["ename"]) == ("error", "UsageError")
    assert "after" not in reply["stdout"]
    reply = kernel.run("class B:\n    def __repr__(self): raise RuntimeError\n"
                       "l = []; l.append(l)\nimport jupyter_mlops as mlops\n"
                       "mlops.log_params(b=B(), l=l); mlops.log_metric('m', 10**400)\n"
                       "%mlops log_param d={'a': 1}\nprint('after')")
    assert reply["status"] == "ok" and "after" in reply["stdout"], reply
