"""Notebooks for job tests, written fresh per test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook


def write_notebook(path: Path, *cells: str, parameters: str | None = "alpha = 0.5\nn = 3"
                   ) -> Path:
    """A notebook whose first cell (tagged ``parameters``) is ``parameters``."""
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    if parameters is not None:
        nb.cells.insert(0, new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture
def notebook(tmp_path: Path) -> Any:
    """``notebook(name, *cells, parameters=...)`` writes one into the test's folder."""
    return lambda name, *cells, **kw: write_notebook(tmp_path / name, *cells, **kw)

