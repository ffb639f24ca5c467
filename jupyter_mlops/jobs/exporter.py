"""Export an interactive session as a job: the minimal cells behind a model, with a
``parameters`` cell built from the run's logged parameters, ready for ``run``/``schedule``."""

from __future__ import annotations

import ast
import time
from pathlib import Path
from typing import Any

from .. import lineage
from ..exceptions import JobError
from ..store import queries
from ..tracking import tracker


def _run_of(ref: Any) -> tuple[str, str]:
    """The run behind ``ref``, and how to name where the export came from."""
    kind, id_ = lineage.node(ref)
    if kind == "run":
        return id_, f"run `{id_[:12]}`"
    if kind == "model_version":
        from ..registry import resolve

        run_id = resolve(tracker().store, id_).run_id
        if run_id is None:  # registered through the API outside any recorded run
            raise JobError(f"model version {id_} was not registered in a recorded run: there "
                           f"are no cells to export; export the run that trained it instead")
        return run_id, f"model version `{id_}` (run `{run_id[:12]}`)"
    if kind == "cell":
        with queries.reading(tracker().store) as con:
            run_id, seq = queries.cell_position(con, id_)
        return run_id, f"cell {seq} of run `{run_id[:12]}`"
    raise JobError(f"export takes a run id, a cell (RUN/SEQ) or a model version (churn:3, "
                   f"churn@champion), not a {kind}")


def _without_assignments(source: str, names: set[str]) -> str:
    """``source`` minus its top-level ``name = <literal>`` lines for the given names: the
    parameters cell sets them now, and a later literal would undo what papermill injects."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:  # line magics become one line of code each, so line numbers still match
        tree = ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return source
    drop: set[int] = set()
    for stmt in tree.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id in names):
            try:
                ast.literal_eval(stmt.value)
            except ValueError:
                continue
            drop.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    kept = [line for i, line in enumerate(source.splitlines(), 1) if i not in drop]
    if drop and all(not line.strip() or line.lstrip().startswith("#") for line in kept):
        return ""  # only comments were left: the cell was the old parameters cell
    return "\n".join(kept).strip()


def export(ref: Any, to: str | Path, *, overwrite: bool = False) -> Path:
    """Write the slice of ``ref`` (a run id, a cell ``RUN/SEQ``, ``churn:3`` or
    ``churn@champion``) to ``to``."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    target = Path(to).expanduser()
    if target.suffix != ".ipynb":
        raise JobError(f"export writes a notebook: give a path ending in .ipynb, not {to}")
    if target.exists() and not overwrite:
        raise JobError(f"{target} exists: choose another path or overwrite it (--force)")
    run_id, origin = _run_of(ref)
    cells = lineage.slice(ref)
    params = queries.run(tracker().store, run_id)["params"]
    body = [_without_assignments(source, set(params)) for source in cells["source"]]
    header = (f"Exported from {origin} by `jupyter mlops export` on "
              f"{time.strftime('%Y-%m-%d')}: the cells the model depends on, in order. "
              f"The parameters cell holds the run's logged parameters; "
              f"run it as a job with `jupyter mlops run {target.name} -p NAME VALUE`.")
    nb = new_notebook(cells=[
        new_markdown_cell(header),
        new_code_cell("\n".join(f"{k} = {v!r}" for k, v in params.items()),
                      metadata={"tags": ["parameters"]}),
        *(new_code_cell(source) for source in body if source),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.validate(nb)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target
