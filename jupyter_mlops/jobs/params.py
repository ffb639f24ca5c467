"""Job parameters: parsed from the command line or a file, checked before anything runs.

papermill writes each parameter into the notebook as ``name = value`` source code without
checking the name, so ``-p 'x=print(1);y' 1`` runs code. Here a name must be an identifier
that the notebook's ``parameters`` cell assigns, and a value must be plain JSON data.
"""

from __future__ import annotations

import json
import keyword
import math
from pathlib import Path
from typing import Any

from ..exceptions import JobError


def parse_value(text: str) -> Any:
    """A ``-p NAME VALUE`` value: JSON when it parses (``300``, ``true``, ``[1, 2]``),
    else the text itself (``data/jan.parquet``)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def load_file(path: str | Path) -> dict[str, Any]:
    """Parameters from a YAML or JSON file holding one mapping."""
    import yaml  # papermill depends on it

    try:
        loaded = yaml.safe_load(Path(path).read_text())
    except OSError as e:
        raise JobError(f"cannot read the parameters file {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise JobError(f"{path} is not YAML or JSON: {e}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise JobError(f"{path} must hold a mapping of parameter names to values, "
                       f"not a {type(loaded).__name__}")
    return loaded


def check_values(params: dict[str, Any]) -> dict[str, Any]:
    """Refuse names that are not identifiers and values that are not JSON data."""
    for name, value in params.items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise JobError(f"parameter name {name!r} is not a Python identifier: a job "
                           f"parameter must be a plain name like n_estimators")
        if not _is_json(value):
            raise JobError(f"parameter {name!r} must be JSON data (number, string, bool, "
                           f"null, list, mapping), not {type(value).__name__}")
    return dict(params)


def _is_json(value: Any) -> bool:
    if value is None or isinstance(value, bool | str | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list | tuple):
        return all(_is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False


def check_against(notebook: str, declared: dict[str, Any], params: dict[str, Any]) -> None:
    """Every given parameter must be one the notebook's ``parameters`` cell assigns
    (``declared`` is what ``papermill.inspect_notebook`` found there)."""
    if params and not declared:
        raise JobError(f"{notebook} has no cell tagged 'parameters', so it cannot take "
                       f"{', '.join(sorted(params))}. Tag the cell that assigns the defaults "
                       f"'parameters' (JupyterLab: property inspector → cell tags).")
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise JobError(f"{notebook} has no parameter {', '.join(unknown)}; its parameters "
                       f"cell assigns: {', '.join(sorted(declared)) or 'nothing'}")
