"""Small helpers that turn model fields into display values.

Lenient parsing keeps whatever the server sent: a field may be ``UNSET`` (missing), ``None``
or even of the wrong JSON type. Renderers go through these helpers so that a drifting
payload is shown as best we can instead of crashing a listing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from chatkit_threads import (
    ActiveStatus,
    ClosedStatus,
    LockedStatus,
    UnknownThreadStatus,
    Unset,
)

# JSON up to this long reads best on one line.
_ONE_LINE = 72

__all__ = [
    "field",
    "format_time",
    "pretty_json",
    "status_text",
    "text",
]


def field(obj: object, name: str) -> Any:
    """``obj.name``, or ``None`` when the attribute is missing or ``UNSET``."""
    value = getattr(obj, name, None)
    return None if isinstance(value, Unset) else value


def text(value: object) -> str | None:
    """A display string for a scalar field (``None`` stays ``None``)."""
    if value is None or isinstance(value, Unset):
        return None
    if isinstance(value, Enum):
        value = value.value
    return value if isinstance(value, str) else json.dumps(value, default=str)


def format_time(timestamp: object, *, zone: bool = True, seconds: bool = False) -> str:
    """A Unix timestamp as ``YYYY-MM-DD HH:MM UTC`` (UTC, so output is the same everywhere;
    ``zone=False`` leaves the suffix to a column header)."""
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | float):
        return "?" if timestamp is None or isinstance(timestamp, Unset) else str(timestamp)
    try:
        moment = datetime.fromtimestamp(timestamp, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return str(timestamp)
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return moment.strftime(pattern + " UTC" if zone else pattern)


def status_text(status: object, *, with_reason: bool = True) -> str:
    """A thread status as one word (its ``type``, as the server sent it), followed by its
    reason when it has one (and ``with_reason``)."""
    if isinstance(status, ActiveStatus | LockedStatus | ClosedStatus | UnknownThreadStatus):
        word = text(field(status, "type_")) or "unknown"
        reason = text(field(status, "reason"))
        return f"{word} ({reason})" if reason and with_reason else word
    return "?" if status is None or isinstance(status, Unset) else str(status)


def pretty_json(raw: object) -> str:
    """A JSON string (tool arguments, widget payloads) indented for reading.

    A string that is not JSON is returned as it is: the API stores these as opaque text.
    Short values stay on one line.
    """
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            return raw
    compact = json.dumps(value, ensure_ascii=False, default=str)
    if len(compact) <= _ONE_LINE:
        return compact
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
