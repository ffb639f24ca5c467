"""The team store: every machine's events in one PostgreSQL table (docs/team.md).

Each machine ships its spool to PostgreSQL (:mod:`.ship`) and pulls the team's events back
into its own DuckDB, applied by ingest like local ones (:mod:`.pull`); :mod:`.sync` does
both. Kernels never talk to PostgreSQL: the server's background loop, the scheduler daemon
and ``jupyter mlops team sync`` do. Where the team store is: ``$JUPYTER_MLOPS_TEAM_URL``,
else ``url`` in ``<store>/team.toml`` (written by ``jupyter mlops team init``); either is a
libpq URL whose password, if any, comes from the environment or a pgpass file.
"""

from __future__ import annotations

from ..team_config import URL_ENV as URL_ENV
from ..team_config import check_url as check_url
from ..team_config import config_path as config_path
from ..team_config import redact as redact
from ..team_config import save_url as save_url
from ..team_config import team_url as team_url

#: The consumer name the shipper reads the spool as (see :mod:`..consumers`).
SHIPPER = "team"
