"""Which method calls change their object (``docs/dataflow.md``, "Writes"): the rule
:mod:`.expressions` applies to ``x.method(…)``, and what capture's fingerprint cache trusts."""

from __future__ import annotations

#: Method names that change their object (``docs/dataflow.md``, "Writes").
MUTATORS = frozenset({
    "fit", "partial_fit", "fit_transform", "fit_predict", "set_params", "set_output",
    "append", "extend", "insert", "pop", "popitem", "remove", "clear", "update", "setdefault",
    "add", "discard", "sort", "reverse",
    "seed", "shuffle", "manual_seed", "set_seed",
    "fill", "resize", "put", "setflags",
})
#: The mutators that change a *module* (its random state): ``np.add(x, 2)`` or
#: ``np.sort(a)`` change nothing, ``np.random.seed(0)`` does.
MODULE_MUTATORS = frozenset({"seed", "shuffle", "manual_seed", "set_seed"})
#: Methods of pandas and numpy objects that return a new object and leave theirs alone: a
#: call of one keeps the object's cached fingerprint (any other method may change it).
PURE_METHODS = frozenset({
    "head", "tail", "describe", "info", "copy", "mean", "median", "sum", "min", "max", "std",
    "var", "count", "nunique", "unique", "value_counts", "groupby", "plot", "hist", "to_numpy",
    "to_list", "tolist", "to_csv", "to_parquet", "to_dict", "to_json", "to_string", "sample",
    "isna", "isnull", "notna", "notnull", "corr", "cov", "merge", "join", "astype", "reshape",
    "quantile", "cumsum", "shift", "diff", "pct_change", "clip", "where", "mask", "replace",
    "dropna", "fillna", "drop", "rename", "query", "filter", "apply", "map", "agg",
    "aggregate", "round", "abs", "any", "all", "argmax", "argmin", "dot", "transpose", "ravel",
    "flatten", "item", "sort_values", "sort_index", "reset_index", "set_index", "equals",
    "memory_usage", "select_dtypes", "iterrows", "itertuples", "items", "keys", "duplicated",
    "drop_duplicates", "isin", "between", "nlargest", "nsmallest", "idxmax", "idxmin", "mode",
    "pivot", "pivot_table", "melt", "stack", "unstack", "explode", "rolling", "expanding",
    "resample", "assign", "eval", "get", "argsort", "searchsorted", "nonzero", "prod",
    "cumprod", "squeeze", "view", "reindex", "align", "combine_first", "to_frame", "to_series",
})
