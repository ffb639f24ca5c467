"""Request parameters: declared once, parsed strictly, and described in the OpenAPI document.

Every value a client sends passes through :meth:`Param.parse` before it reaches a query;
what does not fit is refused with a 400 naming the parameter and what it accepts.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..exceptions import BadParameter

#: The longest string any parameter accepts (a run id is 32 characters, a name at most 128).
MAX_LENGTH = 512



@dataclass(frozen=True)
class Param:
    name: str
    description: str
    type: str = "string"  # "string" or "integer"
    where: str = "query"  # "query" or "path"
    required: bool = False
    default: Any = None
    enum: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = None  # a full-match regular expression for strings

    def parse(self, raw: str | None) -> Any:
        """The value to query with, or :class:`BadParameter`."""
        if raw is None:
            if self.required:
                raise BadParameter(f"{self.name} is required: {self.description}")
            return self.default
        if len(raw) > MAX_LENGTH:
            raise BadParameter(f"{self.name} is too long ({len(raw):,} characters; at most "
                               f"{MAX_LENGTH})")
        if self.type == "integer":
            if not re.fullmatch(r"-?[0-9]{1,12}", raw):
                raise BadParameter(f"{self.name} must be a whole number, not {raw[:40]!r}")
            value = int(raw)
            if (self.minimum is not None and value < self.minimum) or (
                    self.maximum is not None and value > self.maximum):
                raise BadParameter(f"{self.name} must be between {self.minimum} and "
                                   f"{self.maximum}, not {value}")
            return value
        if self.enum is not None and raw not in self.enum:
            raise BadParameter(f"{self.name} must be one of {', '.join(self.enum)}, "
                               f"not {raw[:40]!r}")
        if self.pattern is not None and not re.fullmatch(self.pattern, raw):
            raise BadParameter(f"{self.name} {raw[:80]!r} is not valid: {self.description}")
        if "\x00" in raw:
            raise BadParameter(f"{self.name} contains a NUL character")
        return raw

    def schema(self) -> dict[str, Any]:
        """This parameter as an OpenAPI parameter object."""
        schema: dict[str, Any] = {"type": self.type}
        if self.type == "string":
            schema["maxLength"] = MAX_LENGTH
        for key, value in (("enum", list(self.enum) if self.enum else None),
                           ("minimum", self.minimum), ("maximum", self.maximum),
                           ("pattern", self.pattern and f"^{self.pattern}$"),
                           ("default", self.default)):
            if value is not None:
                schema[key] = value
        return {"name": self.name, "in": self.where, "required": self.required or
                self.where == "path", "description": self.description, "schema": schema}


#: A run id or a unique prefix of one (event ids are 32 lowercase hex digits; a job may
#: hand its kernel any id of letters, digits, '-' and '_').
RUN_ID = r"[A-Za-z0-9_-]{6,128}"
#: A model or alias name, as the registry accepts it.
NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"


def encode_cursor(started: datetime, run_id: str) -> str:
    """An opaque cursor for the page after the run (started, run_id)."""
    micros = (started - datetime(1970, 1, 1, tzinfo=started.tzinfo)) // timedelta(microseconds=1)
    return base64.urlsafe_b64encode(f"{micros}:{run_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (started, run_id) a cursor from :func:`encode_cursor` stands for."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        micros, run_id = text.split(":", 1)
        if not re.fullmatch(r"[0-9]{1,17}", micros) or not re.fullmatch(RUN_ID, run_id):
            raise ValueError(text)
        return datetime(1970, 1, 1) + timedelta(microseconds=int(micros)), run_id
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise BadParameter(f"cursor {cursor[:40]!r} is not one this API issued: pass the "
                           f"next_cursor of the previous page unchanged") from None
