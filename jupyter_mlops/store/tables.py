"""Reading a user's data file (CSV or Parquet) into a DataFrame, for the faces that take a path."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..exceptions import StoreError

if TYPE_CHECKING:
    import pandas as pd


def read_table(path: str) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame (Parquet through DuckDB: no pyarrow needed)."""
    import pandas as pd

    lower = path.lower()
    try:
        if lower.endswith((".parquet", ".pq")):
            import duckdb

            return duckdb.execute("SELECT * FROM read_parquet(?)", [path]).df()
        if lower.endswith((".csv", ".tsv", ".txt", ".csv.gz")):
            return pd.read_csv(path, sep="\t" if lower.endswith(".tsv") else ",")
    except Exception as e:  # a parser's message names what is wrong with the file
        raise StoreError(f"cannot read {path}: {e}") from None
    raise StoreError(f"cannot read {path}: give a .csv, .tsv or .parquet file")


def write_parquet(df: pd.DataFrame, path: str) -> None:
    """Write a DataFrame as Parquet through DuckDB (no pyarrow needed)."""
    import duckdb

    duckdb.from_df(df).write_parquet(path)
