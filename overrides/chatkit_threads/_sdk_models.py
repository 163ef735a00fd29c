"""What the ``openai`` SDK's models have and the generated ones lack: ``to_json()``,
``_request_id``, and on ``Unknown*`` models ``type``/``object``.

Mixins of ``_schema.Model`` and ``_schema.Unknown`` (slot-free, so the generated classes
keep their slotted layout). The generated classes add the wire-named properties of their
renamed fields (``.type`` for ``type_``), and a ``_response_headers`` slot on each whole
response, which the parser fills.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["SDKModel", "SDKUnknown"]


class SDKModel:
    """``to_json`` and ``_request_id`` for the spec's models."""

    __slots__ = ()

    to_dict: Callable[[], dict[str, Any]]  # `_schema.Model`'s

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
