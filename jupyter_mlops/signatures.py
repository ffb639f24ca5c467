"""A model version's signature: the input it was built for (column names, dtypes, and the
categories seen), recorded at ``register`` and checked when data meets the model (``load_model``
given data, every ``score`` batch).

Why a signature: a model given a batch with a renamed column, a string where it was trained on
numbers, or a category it never saw, either fails deep inside the library with a message about
arrays, or silently predicts nonsense. The check names the offending columns instead.

The verdict (:func:`check`): a **missing column** or a **wrong dtype** is an error (the model
cannot use the batch); an **extra column** or an **unseen category** is a warning (ids and labels
ride along with batches; many encoders ignore unknown categories), made an error by
``strict=True``. A column whose values are all null has no dtype to judge (a null column read from
Parquet or CSV has none): it is reported as a warning, never as a wrong dtype.

Dtypes are compared by kind (integer, float, boolean, string, category, datetime): an integer
column where floats were seen is accepted (widening loses nothing), a float where integers were
seen is not; string and category are one kind, since a category written to CSV comes back as text.
Works on pandas DataFrames and on Arrow schemas and batches alike, so chunked scoring checks each
record batch without converting it first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Distinct values a text column may have to be treated as categorical (its values recorded);
#: a column with more is free text, and unseen values are not checked.
MAX_CATEGORIES = 1000

#: Which seen kinds accept which given kinds (besides themselves, and ``null``).
_ACCEPTS = {"float": {"integer", "boolean"}, "string": {"category"}, "category": {"string"}}


@dataclass
class Verdict:
    """What a check found: errors (the batch cannot be scored) and warnings, one line each;
    ``unseen`` holds the unseen categories per column (so chunks can be summed up)."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unseen: dict[str, set[Any]] = field(default_factory=dict)

    def message(self) -> str:
        return "; ".join(self.errors)


def kind_of(dtype: Any) -> str:
    """The kind of a pandas/numpy dtype or an Arrow type (``other`` when neither knows it)."""
    import pandas as pd
    import pyarrow as pa

    if isinstance(dtype, pa.DataType):
        return _arrow_kind(dtype, pa)

    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return "string"
    return "other"


def _arrow_kind(dtype: Any, pa: Any) -> str:
    types = pa.types
    for test, kind in ((types.is_null, "null"), (types.is_boolean, "boolean"),
                       (types.is_integer, "integer"), (types.is_floating, "float"),
                       (types.is_dictionary, "category"), (types.is_string, "string"),
                       (types.is_large_string, "string"), (types.is_timestamp, "datetime"),
                       (types.is_date, "datetime")):
        if test(dtype):
            return kind
    return "other"


def infer(frame: Any, source: str = "input_example") -> dict[str, Any]:
    """The signature of a pandas DataFrame: per column its name, dtype, kind and, for a
    categorical or text column of at most :data:`MAX_CATEGORIES` values, the values seen."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"input_example must be a pandas DataFrame (the model's input), not "
                        f"{type(frame).__name__}")
    columns = []
    for name, series in frame.items():
        kind = kind_of(series.dtype)
        categories = None
        if kind == "category":
            categories = [_plain(v) for v in series.cat.categories]
        elif kind == "string":
            seen = series.dropna().unique()
            categories = sorted(_plain(v) for v in seen) if len(seen) <= MAX_CATEGORIES else None
        columns.append({"name": str(name), "dtype": str(series.dtype), "kind": kind,
                        "categories": categories})
    return {"source": source, "columns": columns}


def from_schema(schema: dict[str, str], source: str = "fit") -> dict[str, Any]:
    """A signature from the column -> dtype names autolog recorded of a fit's ``X`` (no
    categories: capture never scans values it does not have to)."""
    import pandas as pd

    columns = []
    for name, dtype in schema.items():
        try:
            kind = kind_of(pd.api.types.pandas_dtype(dtype))
        except TypeError:
            kind = "category" if dtype == "category" else "other"
        columns.append({"name": name, "dtype": dtype, "kind": kind, "categories": None})
    return {"source": source, "columns": columns}


def for_model(model: Any, fit_schema: dict[str, str] | None, example: Any
              ) -> dict[str, Any] | None:
    """The signature ``register`` records: from ``input_example`` (with categories), else
    from the schema autolog recorded of the fit's DataFrame, else the model's own feature
    names (None: nothing says what the model takes)."""
    if example is not None:
        return infer(example)
    if fit_schema:
        return from_schema(fit_schema)
    return from_model(model)


def from_model(model: Any) -> dict[str, Any] | None:
    """Column names only, from a fitted estimator's ``feature_names_in_`` (None: it has none)."""
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        return None
    return {"source": "model", "columns": [
        {"name": str(n), "dtype": None, "kind": None, "categories": None} for n in names]}


def _plain(value: Any) -> Any:
    """A category value as JSON holds it (numpy scalars as Python ones)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def names(signature: dict[str, Any]) -> list[str]:
    """The signature's columns, in the model's order."""
    return [c["name"] for c in signature["columns"]]


def check_schema(signature: dict[str, Any], given: dict[str, Any], *,
                 strict: bool = False) -> Verdict:
    """Names and kinds: ``given`` maps each column of the data to its dtype (pandas or
    Arrow)."""
    verdict = Verdict()
    expected = {c["name"]: c for c in signature["columns"]}
    missing = [n for n in expected if n not in given]
    if missing:
        verdict.errors.append(f"missing column(s) {_list(missing)}: the model was registered "
                              f"with them; add them to the input")
    extra = [n for n in given if n not in expected]
    if extra:
        (verdict.errors if strict else verdict.warnings).append(
            f"extra column(s) {_list(extra)} not in the model's signature are "
            f"{'refused (strict)' if strict else 'ignored'}")
    wrong = []
    for name, column in expected.items():
        if name not in given or column["kind"] is None:
            continue
        kind = kind_of(given[name])
        if kind != column["kind"] and kind != "null" and \
                kind not in _ACCEPTS.get(column["kind"], ()):
            wrong.append(f"{name} is {kind} ({given[name]}), expected {column['dtype']}")
    if wrong:
        verdict.errors.append(f"wrong dtype: {'; '.join(wrong)}; convert the column(s) "
                              f"or register a version trained on these types")
    return verdict


def check_values(signature: dict[str, Any], frame: Any, verdict: Verdict) -> None:
    """Unseen categories and all-null columns of one batch (a pandas DataFrame or an Arrow
    record batch), added to ``verdict.unseen`` and ``verdict.warnings``."""
    for column in signature["columns"]:
        name = column["name"]
        if name not in _column_names(frame):
            continue
        values = frame[name] if not hasattr(frame, "column") else frame.column(name)
        if _null_count(values) == len(values) and len(values):
            note = f"column {name} is all null in a batch"
            if note not in verdict.warnings:
                verdict.warnings.append(note)
            continue
        if column.get("categories") is None:
            continue
        new = _distinct(values) - set(column["categories"])
        if new:
            verdict.unseen.setdefault(name, set()).update(new)


def finish(verdict: Verdict, *, strict: bool = False) -> Verdict:
    """Turn the unseen categories collected into one line (an error when ``strict``)."""
    if verdict.unseen:
        line = "unseen categories: " + "; ".join(
            f"{name}: {_list(sorted(map(str, values)))}" for name, values
            in sorted(verdict.unseen.items())) + " (the model never saw them when registered)"
        (verdict.errors if strict else verdict.warnings).append(line)
        verdict.unseen = {}
    return verdict


def check(signature: dict[str, Any] | None, frame: Any, *, strict: bool = False) -> Verdict:
    """The whole verdict on one DataFrame (nothing to check without a signature)."""
    if not signature:
        return Verdict()
    verdict = check_schema(signature, dict(frame.dtypes.items()), strict=strict)
    check_values(signature, frame, verdict)
    return finish(verdict, strict=strict)


def enforce(signature: dict[str, Any] | None, data: Any, label: str, *,
            strict: bool = False) -> None:
    """``data`` (a DataFrame) against ``signature``: :class:`SignatureMismatch` naming the
    offending columns, or a :class:`SignatureWarning` per thing tolerated."""
    import warnings

    from .exceptions import SignatureMismatch, SignatureWarning

    verdict = check(signature, data, strict=strict)
    if verdict.errors:
        raise SignatureMismatch(f"the data does not fit {label}: {verdict.message()}")
    for line in verdict.warnings:
        warnings.warn(f"{label}: {line}", SignatureWarning, stacklevel=3)


def _column_names(frame: Any) -> list[str]:
    return list(frame.schema.names) if hasattr(frame, "schema") else list(frame.columns)


def _null_count(values: Any) -> int:
    count = getattr(values, "null_count", None)
    return int(count) if count is not None else int(values.isna().sum())


def _distinct(values: Any) -> set[Any]:
    if hasattr(values, "to_pylist"):  # an Arrow array: unique() before leaving Arrow
        import pyarrow.compute as pc

        if hasattr(values, "dictionary_decode") or str(values.type).startswith("dictionary"):
            values = values.cast(values.type.value_type)
        return {v for v in pc.unique(values.drop_null()).to_pylist()}
    return {_plain(v) for v in values.dropna().unique()}


def _list(items: list[str]) -> str:
    shown = ", ".join(map(str, items[:10]))
    return shown + (f" and {len(items) - 10} more" if len(items) > 10 else "")
