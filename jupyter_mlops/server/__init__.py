"""The REST API over the store, as a jupyter_server extension (see docs/rest.md).

A thin face: every answer comes from ``store.queries``, ``registry`` or ``lineage``;
nothing imports this package.
"""
