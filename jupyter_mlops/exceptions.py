"""Every error jupyter-mlops raises on purpose, in one place (as papermill's ``exceptions``).

Each is a problem the user can act on: its message names what is wrong and what to do. The faces
map them to their own form: the CLI prints one line, the magics raise ``UsageError``, the REST
API answers 404 (:class:`NotFound`), 400 (:class:`BadReference`, :class:`BadParameter`,
:class:`JobError`), 409 (:class:`GateRefused`) or 500 with the message (any other).
"""


class StoreError(Exception):
    """A problem with the store a user can act on; the message says what to do."""


class NotFound(StoreError):
    """An id or name the store has no record of (the REST API answers 404)."""


class BadReference(StoreError):
    """A reference that cannot name one thing: too short or ambiguous (the REST API: 400)."""


class BadRunName(StoreError):
    """A run name that cannot be shown on one line (blank, too long, a line break)."""


class JobError(StoreError):
    """A job that cannot start as asked: bad notebook, parameter, or option."""


class SchedulerBusy(StoreError):
    """Another daemon holds this store's scheduler lock."""


class GateRefused(StoreError):
    """A promotion whose gate was not met; the message names the failing condition."""


class RunProtected(StoreError):
    """A run that cannot be deleted: it is running, or a model version refers to it (the REST
    API: 409)."""


class BadParameter(ValueError):
    """A REST parameter the API cannot use; the message names it and what it accepts."""


class BadQuery(StoreError):
    """SQL (``mlops.sql``) or a ``where``/``order_by`` of ``mlops.runs`` the store refuses or
    cannot answer; the message names the view or column and lists what exists."""


class BadArtifact(StoreError):
    """A file, folder, name or object that cannot be kept as an artifact; the message names
    it and what to give instead (inside a cell: a warning, never a traceback)."""


class AlertConfigError(StoreError):
    """An alerts configuration (a rule, a channel, the settings) that cannot work; refused
    when written, with the reason (the REST API: 400)."""


class DeliveryFailed(StoreError):
    """An alert a channel did not accept (the receiver's answer or the network's error);
    the outbox retries it, ``alerts test`` reports it."""
