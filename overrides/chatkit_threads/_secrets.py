"""Keeping the API key out of every message: one redaction function, and key checks.

A server (or a proxy in front of it) may echo the ``Authorization`` header back in a
body, raw or escaped for the context it is quoted in (a URL, HTML, JSON, a ``repr``).
Every message the library builds from something the server sent goes through
`redact`, which replaces each of those spellings.
"""

from __future__ import annotations

import functools
import html
import json
import re
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["REDACTED", "check_api_key", "check_header_value", "redact", "scrub"]

REDACTED = "<redacted>"

# What may travel in an HTTP header value (RFC 9110 field-vchar plus inner spaces/tabs).
_HEADER_VALUE = re.compile(r"[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*")
# A key is one token: printable ASCII, no whitespace (a pasted key often ends in "\n").
_KEY = re.compile(r"[\x21-\x7e]+")
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


_LOWER_ESCAPES = re.compile(r"%[0-9A-F]{2}")
# Keys at least this long cannot occur by chance, so they are redacted wherever found.
_ANYWHERE = 16


@functools.lru_cache(maxsize=8)
def _pattern(secret: str) -> re.Pattern[str]:
    encoded = [quote(secret, safe=""), quote(secret), quote_plus(secret)]
    forms = {
        secret,
        *encoded,
        # Percent-escapes may come in lower case ("%2f").
        *(_LOWER_ESCAPES.sub(lambda m: m.group().lower(), form) for form in encoded),
        html.escape(secret),
        html.escape(secret, quote=False),
        json.dumps(secret)[1:-1],
        repr(secret)[1:-1],
    }
    # Longest first, so a form containing another is replaced whole.
    pattern = "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
    if len(secret) < _ANYWHERE:
        # A short key (a test's "k") is found by chance inside words ("chatkit"):
        # redact it only where it stands as a token of its own.
        pattern = rf"(?<![0-9A-Za-z_])(?:{pattern})(?![0-9A-Za-z_])"
    return re.compile(pattern)


def redact(text: str, secret: str | None) -> str:
    """``text`` with every spelling of ``secret`` (raw, URL-, HTML-, JSON-escaped) replaced."""
    if not secret:
        return text
    return _pattern(secret).sub(REDACTED, text)


def scrub(value: Any, secret: str | None) -> Any:
    """Decoded JSON ``value`` with `redact` applied to every string in it (keys included)."""
    if not secret:
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
