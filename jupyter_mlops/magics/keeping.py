"""What a run keeps, from the notebook: its name (``%mlops name``), ``%mlops log_artifact``
and the settings of output capture (``%config MLOps.capture_outputs = True``;
:mod:`jupyter_mlops.capture.outputs`)."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from traitlets import Bool, Int
from traitlets.config import Configurable


class MLOps(Configurable):
    """The settings users name ``MLOps.…`` (``%config MLOps``), and ``%mlops log_artifact``.
    A base of the ``%mlops`` magics class, so one instance holds them."""

    capture_outputs = Bool(
        False, config=True,
        help="Keep what each cell displays (images; HTML and plotly up to output_max_bytes) "
             "as artifacts of its cell. Off by default: outputs can show data the source "
             "does not, and the notebook file already keeps them (docs/artifacts.md).",
    )
    output_max_bytes = Int(
        1 << 20, config=True,
        help="The largest HTML or plotly output capture_outputs keeps (images: 16 x this).",
    )

    def _cmd_log_artifact(self, args: Any) -> None:
        if len(args.args) not in (1, 2):
            raise UsageError("%mlops log_artifact: give a path and optionally a name, e.g. "
                             "`%mlops log_artifact results/ results`")
        from ..tracking.logged import keep_artifact

        keep_artifact(*args.args)

    def _cmd_name(self, args: Any) -> None:
        if not args.args:
            raise UsageError("%mlops name: give the run's new name, e.g. `%mlops name baseline`")
        from ..tracking.naming import set_run_name

        set_run_name(" ".join(args.args))
