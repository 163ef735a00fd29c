"""The one error a bad OpenAPI document gives."""

from __future__ import annotations

__all__ = ["SpecError"]


class SpecError(ValueError):
    """The document cannot be used: unreadable, not YAML/JSON, hostile, or not a
    usable OpenAPI document. The message names the file (or source) and the problem."""
