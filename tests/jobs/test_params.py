"""Job parameters: parsing, the name and value rules, checks against the notebook."""

import math

import pytest

from jupyter_mlops.exceptions import JobError
from jupyter_mlops.jobs.params import check_against, check_values, load_file, parse_value
from jupyter_mlops.jobs.runner import parse_duration


def test_cli_values_are_json_when_they_parse():
    assert parse_value("300") == 300 and parse_value("0.5") == 0.5
    assert parse_value("true") is True and parse_value("null") is None
    assert parse_value("[1, 2]") == [1, 2]
    assert parse_value("data/jan.parquet") == "data/jan.parquet"


@pytest.mark.parametrize("name", ['x=print("INJECTED");y', "class", "1abc", "a b", ""])
def test_names_that_are_not_identifiers_are_refused(name):
    with pytest.raises(JobError, match="not a Python identifier"):
        check_values({name: 1})


@pytest.mark.parametrize("value", [object(), math.nan, {1: 2}, [1, {2}], b"bytes"])
def test_values_that_are_not_json_are_refused(value):
    with pytest.raises(JobError, match="must be JSON data"):
        check_values({"x": value})


def test_params_files(tmp_path):
    (tmp_path / "p.yaml").write_text("n_estimators: 300\npath: data/jan.parquet\n")
    assert load_file(tmp_path / "p.yaml") == {"n_estimators": 300, "path": "data/jan.parquet"}
    (tmp_path / "p.json").write_text('{"a": [1, 2]}')
    assert load_file(tmp_path / "p.json") == {"a": [1, 2]}
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    with pytest.raises(JobError, match="must hold a mapping"):
        load_file(tmp_path / "list.yaml")
    with pytest.raises(JobError, match="cannot read"):
        load_file(tmp_path / "missing.yaml")


def test_durations():
    assert parse_duration("30m") == 1800 and parse_duration("1h30m") == 5400
    assert parse_duration("90") == 90 and parse_duration(2.5) == 2.5
    assert parse_duration("45s") == 45 and parse_duration(None) is None
    for bad in ("soon", "", "0", -1):
        with pytest.raises(JobError):
            parse_duration(bad)


def test_checks_against_the_parameters_cell():
    declared = {"alpha": {}, "n": {}}
    check_against("nb.ipynb", declared, {"alpha": 1})
    with pytest.raises(JobError, match="has no parameter beta; its parameters cell assigns: "
                                       "alpha, n"):
        check_against("nb.ipynb", declared, {"beta": 1})
    with pytest.raises(JobError, match="no cell tagged 'parameters'"):
        check_against("nb.ipynb", {}, {"alpha": 1})
    check_against("nb.ipynb", {}, {})  # no parameters, none given: fine
