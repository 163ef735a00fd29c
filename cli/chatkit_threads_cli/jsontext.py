"""JSON text the CLI writes (files and ``--json`` output) that is always valid JSON in
valid UTF-8, whatever a server sent.

Two things a parsed body can hold that ``json.dumps`` would turn into something else:

- a lone surrogate (``"\\ud800"`` in the body): kept, written as that same ``\\ud800``
  escape (UTF-8 cannot carry it raw), so reading the file back gives the same string.
  Likewise DEL, the C1 controls and the bidi overrides are written as ``\\uXXXX``
  escapes (``json.dumps`` already escapes the C0 ones), so the text cannot drive a
  terminal it is printed on, and reads back the same;
- a number too large for a float (``1e400``, read as infinity) or ``NaN``: an infinity
  is written as ``1e999`` (``-1e999``), a JSON number that every reader turns into the
  same infinity again; ``NaN`` has no JSON spelling and is written as ``null``.

The common case (neither) costs one ``json.dumps`` and one ``encode``, as before.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from typing import Any

__all__ = ["dump_line", "dumps"]

_ESCAPED = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(text: str) -> str:
    # In json.dumps output a character outside ASCII can only be inside a string, where
    # its \uXXXX escape means the same.
    return _ESCAPED.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _replace_non_finite(value: Any, marker: str) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else f"{marker}{'-' if value < 0 else '+'}"
    if isinstance(value, dict):
        return {key: _replace_non_finite(child, marker) for key, child in value.items()}
    if isinstance(value, list | tuple):
        return [_replace_non_finite(child, marker) for child in value]
    return value


def dumps(value: Any, *, indent: int | None = None, compact: bool = False) -> str:
    """``value`` as JSON text: non-ASCII kept readable, surrogates and non-finite numbers
    as the module docstring says."""
    separators = (",", ":") if compact else None
    try:
        text = json.dumps(
            value, ensure_ascii=False, allow_nan=False, indent=indent, separators=separators
        )
    except ValueError:  # an infinity or NaN somewhere: the rare, slower path
        # A marker no body contains (random per call), swapped for the number afterwards.
        marker = f"\x00{uuid.uuid4().hex}"
        text = json.dumps(
            _replace_non_finite(value, marker),
            ensure_ascii=False,
            indent=indent,
            separators=separators,
        )
        quoted = json.dumps(marker)[:-1]
        text = text.replace(f'{quoted}+"', "1e999").replace(f'{quoted}-"', "-1e999")
    return _escape(text) if _ESCAPED.search(text) else text


def dump_line(record: Any) -> bytes:
    """One JSONL line (UTF-8, compact, newline-terminated)."""
    return (dumps(record, compact=True) + "\n").encode("utf-8")
