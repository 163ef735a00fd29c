"""Python names for the spec's names, as the generator (openapi-python-client) makes them."""

from __future__ import annotations

import builtins
import keyword
import re

__all__ = ["python_name"]

_DELIMITERS = r"\. _-"
# The generator renames these (builtins shadowed, plus a few of its own), except `id`.
_RESERVED = (set(dir(builtins)) | {"self", "true", "false", "datetime"}) - {"id"}


def python_name(name: str, prefix: str) -> str:
    """``name`` as a snake_case Python identifier: ``type`` -> ``type_``, a name that
    is not an identifier (or starts with ``_``) gets ``prefix`` in front."""
    safe = "".join(c for c in name if c.isidentifier() or c.isdecimal() or c in _DELIMITERS)
    leading_underscore = safe.startswith("_")
    if any(c.isupper() for c in safe):
        safe = " ".join(re.split("([A-Z]?[a-z]+)", safe))
    words = re.findall(rf"[^{re.escape(_DELIMITERS)}]+", safe)
    value = "_".join(words).lower()
    if value in _RESERVED or keyword.iskeyword(value):
        value += "_"
    if not value.isidentifier() or leading_underscore:
        value = f"{prefix}{value}"
    return value
