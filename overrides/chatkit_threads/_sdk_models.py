"""What the ``openai`` SDK's models have and the generated ones lack: ``to_json()``,
``_request_id``, and on ``Unknown*`` models ``type``/``object``; and a ``repr`` that
never shows an API key a server echoed back in a string (a thread id, a title).

Mixins of ``_schema.Model`` and ``_schema.Unknown`` (slot-free, so the generated classes
keep their slotted layout). The generated classes add the wire-named properties of their
renamed fields (``.type`` for ``type_``), and a ``_response_headers`` slot on each whole
response, which the parser fills.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ._secrets import redact

__all__ = ["SDKModel", "SDKUnknown", "redacted_repr"]


def redacted_repr(value: Any) -> str:
    """``repr(value)`` without any API key this process knows (``chatkit_threads.redact``)."""
    return redact(repr(value))


class SDKModel:
    """``to_json``, ``_request_id`` and a redacted ``repr`` for the spec's models."""

    __slots__ = ()

    to_dict: Callable[[], dict[str, Any]]  # `_schema.Model`'s

    def __repr__(self) -> str:
        # The generated attrs class's repr (next in the public class's MRO), without the
        # keys a server may have echoed into its strings. ``redact`` returns at once
        # when no key is known. ``to_dict``/``to_json`` keep the data as received.
        return redact(super().__repr__())

    def to_json(self, *, indent: int | None = 2) -> str:
        """``to_dict()`` as JSON text, indented by 2 by default (as the openai SDK's)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @property
    def _request_id(self) -> str | None:
        """The ``x-request-id`` of the response this model was parsed from (``None`` for
        a nested model, or one built by ``from_dict``), as in the openai SDK."""
        headers = getattr(self, "_response_headers", None)
        return None if headers is None else headers.get("x-request-id")


class SDKUnknown:
    """The SDK's attributes for an ``Unknown*`` model, read from its raw JSON."""

    __slots__ = ()

    raw: dict[str, Any]

    @property
    def type(self) -> Any:
        """The ``type`` the server sent (``None`` when it sent none), as the SDK spells it."""
        return self.raw.get("type")

    @property
    def object(self) -> Any:
        """The ``object`` the server sent (``None`` when it sent none)."""
        return self.raw.get("object")

    @property
    def _request_id(self) -> str | None:
        """Always ``None``: an unknown variant is never a whole response."""
        return None

    def to_json(self, *, indent: int | None = 2) -> str:
        """The JSON object as received, as text (indented by 2 by default)."""
        return json.dumps(self.raw, indent=indent, ensure_ascii=False)
