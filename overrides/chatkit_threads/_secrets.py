"""Keeping the API key out of every message: one redaction function, and key checks.

A server (or a proxy in front of it) may echo the ``Authorization`` header back in a
body, raw or escaped for the context it is quoted in (a URL, HTML, JSON, a ``repr``), or
as a cursor or thread id that the next request then carries in its URL; a caller may
put it in ``extra_query`` too. So a key can reach any text: every message the library
builds goes through `redact`, which replaces each of those spellings of the given key
*and of every key a client of this process was built with* (`remember`). The exception
classes and a filter on the ``chatkit_threads``/``httpx``/``httpcore`` loggers apply it
to whatever reaches them, wherever the text came from.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "REDACTED",
    "any_known",
    "bearer_token",
    "check_api_key",
    "check_header_value",
    "redact",
    "remember",
    "scrub",
]

REDACTED = "<redacted>"

# What may travel in an HTTP header value (RFC 9110 field-vchar plus inner spaces/tabs).
_HEADER_VALUE = re.compile(r"[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*")
# A key is one token: printable ASCII, no whitespace (a pasted key often ends in "\n").
_KEY = re.compile(r"[\x21-\x7e]+")
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


# Keys at least this long cannot occur by chance, so they are redacted wherever found.
_ANYWHERE = 16
# Keys remembered process-wide (redacted from every message and log line, not only the
# messages of their own client) are at least this long: a test's key "k" would otherwise
# replace the word "k" in every log line of the process. No real key is this short.
_REMEMBER_FROM = 8

# Every key a client of this process was built with (an insertion-ordered set).
_known: dict[str, None] = {}


def _url_form(secret: str) -> str:
    """A regex for ``secret`` as any URL encoder may have written it: each character raw
    or percent-escaped (either case of hex digit), a space also as ``+``. So a key is
    found however a URL was (re)encoded, partly or wholly, by httpx, a server or a proxy."""
    parts = []
    for char in secret:
        escaped = "".join(
            "%" + "".join(f"[{d}{d.lower()}]" if d.isalpha() else d for d in f"{byte:02X}")
            for byte in char.encode("utf-8")
        )
        options = [re.escape(char), escaped] + (["\\+"] if char == " " else [])
        parts.append(f"(?:{'|'.join(options)})")
    return "".join(parts)


@functools.lru_cache(maxsize=8)
def _pattern(secret: str) -> re.Pattern[str]:
    literal = {
        html.escape(secret),
        html.escape(secret, quote=False),
        json.dumps(secret)[1:-1],
        repr(secret)[1:-1],
    } - {secret}
    # Longest first, so a form containing another is replaced whole; the URL form (which
    # also matches the raw key) last.
    forms = [*map(re.escape, sorted(literal, key=len, reverse=True)), _url_form(secret)]
    pattern = "|".join(forms)
    if len(secret) < _ANYWHERE:
        # A short key (a test's "k") is found by chance inside words ("chatkit"):
        # redact it only where it stands as a token of its own.
        pattern = rf"(?<![0-9A-Za-z_])(?:{pattern})(?![0-9A-Za-z_])"
    return re.compile(pattern)


def remember(secret: str) -> None:
    """Add ``secret`` to the keys `redact` always replaces (a client's key, at construction)."""
    if len(secret) >= _REMEMBER_FROM and secret not in _known:
        _known[secret] = None


def any_known() -> bool:
    """Whether a client of this process has been built with a key (so `redact` without
    a ``secret`` has something to replace)."""
    return bool(_known)


@functools.lru_cache(maxsize=16)
def _combined(secrets: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all of ``secrets`` (longest first, so a key containing another
    is replaced whole): one pass over the text however many keys there are."""
    ordered = sorted(secrets, key=len, reverse=True)
    return re.compile("|".join(f"(?:{_pattern(secret).pattern})" for secret in ordered))


def redact(text: str, secret: str | None = None) -> str:
    """``text`` with every spelling of ``secret`` replaced by ``<redacted>``, and likewise
    every API key a ``ChatKit``/``AsyncChatKit`` of this process was built with.

    The spellings are the raw key and its URL-encoded (``%2F`` or ``%2f``, ``+`` for a
    space), HTML-escaped, JSON-escaped and ``repr`` forms, so a key quoted in a URL, an
    HTML page or a JSON body is found too. Use it on any text that may reach a user or a
    log: a URL, a response body, a message.
    """
    secrets = tuple(_known) if not secret or secret in _known else (secret, *_known)
    if not secrets:
        return text
    return _combined(secrets).sub(REDACTED, text)


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header among ``headers``, if any."""
    value = headers.get("authorization")
    if value is None or value[:7].lower() != "bearer ":
        return None
    return value[7:].strip() or None


def scrub(value: Any, secret: str | None) -> Any:
    """Decoded JSON ``value`` with `redact` applied to every string in it (keys included)."""
    if not secret and not _known:
        return value
    if isinstance(value, str):
        return redact(value, secret)
    if isinstance(value, dict):
        return {scrub(k, secret): scrub(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, secret) for v in value]
    return value


def check_api_key(api_key: str) -> str:
    """``api_key`` unchanged when it can be sent as a bearer token; else ``ValueError``.

    The message names the position and kind of the first bad character, never the key.
    """
    if _KEY.fullmatch(api_key):
        return api_key
    position, char = next((i, c) for i, c in enumerate(api_key) if not _KEY.fullmatch(c))
    kind = "a control character" if char.isascii() else "a non-ASCII character"
    if char == " ":
        kind = "a space"
    raise ValueError(
        f"api_key has {kind} at position {position} (of {len(api_key)}); an API key is "
        "printable ASCII without whitespace (a key read from a file often ends in a newline)"
    )


def check_header_value(name: str, value: str) -> None:
    """Raise ``ValueError`` (naming the header, not quoting the value) when ``value``
    cannot be sent: a control character (CR/LF would split the header), or non-ASCII."""
    if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a valid HTTP header name")
    if not isinstance(value, str):
        raise TypeError(f"header {name!r} must have a str value, got {type(value).__name__}")
    if not _HEADER_VALUE.fullmatch(value) and value != "":
        raise ValueError(
            f"header {name!r} has a value that cannot be sent: header values are printable "
            "ASCII (no control characters, no non-ASCII characters)"
        )
