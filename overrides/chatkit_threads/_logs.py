"""``OPENAI_LOG=info|debug``: turn on the client's logging without code, as the openai SDK does.

Read once, when ``chatkit_threads`` is imported. ``info`` logs each retry, ``debug`` also
each attempt (method, URL, status, elapsed) and httpx's own request lines. The key is never
logged. Without the variable nothing is configured: logging stays the application's business.
"""

from __future__ import annotations

import logging
import os
import warnings

__all__ = ["ENV_VAR", "setup_logging"]

ENV_VAR = "OPENAI_LOG"

_LEVELS = {"info": logging.INFO, "debug": logging.DEBUG}
_FORMAT = "[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s"


def setup_logging(value: str | None = None) -> None:
    """Configure the ``chatkit_threads`` and ``httpx`` loggers from ``value`` (default: the env).

    An unknown value is ignored with a warning naming it, rather than failing the import.
    """
    if value is None:
        value = os.environ.get(ENV_VAR)
    if not value:
        return
    level = _LEVELS.get(value.strip().lower())
    if level is None:
        warnings.warn(
            f"{ENV_VAR}={value!r} is not one of {', '.join(_LEVELS)}; logging left unchanged",
            stacklevel=2,
        )
        return
    # Like the openai SDK: a root handler only if the application has none yet.
    logging.basicConfig(format=_FORMAT, datefmt="%Y-%m-%d %H:%M:%S")
    logging.getLogger("chatkit_threads").setLevel(level)
    logging.getLogger("httpx").setLevel(level)
