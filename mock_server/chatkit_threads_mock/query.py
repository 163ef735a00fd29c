"""Reading a request's query string and headers, quickly (this runs on every request)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl

from starlette.types import Scope

from .errors import reject

__all__ = ["first_headers", "query_items", "single"]


def query_items(query: str) -> list[tuple[str, str]]:
    """`parse_qsl(query, keep_blank_values=True)`, quicker when nothing is escaped."""
    if "%" in query or "+" in query:
        return parse_qsl(query, keep_blank_values=True)
    # Nothing to unquote: what parse_qsl does then is split on `&` and the first `=`.
    items = []
    for piece in query.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            items.append((name, value))
    return items


def first_headers(scope: Scope, names: frozenset[bytes]) -> dict[bytes, str]:
    """The first value of each header in `names` (lower case), as Starlette reads them.

    One pass over the raw headers: this runs on every request, and building Starlette's
    `Headers` to look up two names cost more than the lookups.
    """
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in names and name not in found:
            found[name] = value.decode("latin-1")
    return found


def single(name: str, values: Sequence[str]) -> str | None:
    """The one value of a parameter (None if not sent); a 400 naming it if repeated."""
    if len(values) > 1:
        raise reject(400, f"'{name}' was given {len(values)} times.", param=name)
    return values[0] if values else None
