"""``OPENAI_LOG=info|debug``: turn on the client's logging without code, as the openai SDK does;
and the filter that keeps API keys out of every log line.

Read once, when ``chatkit_threads`` is imported. ``info`` logs each retry, ``debug`` also
each attempt (method, URL, status, elapsed) and httpx's own request lines. Without the
variable nothing is configured: logging stays the application's business.

The key is never logged: a URL may carry it all the same (a server that echoes it back as
a cursor, a caller's ``extra_query``), and httpx and httpcore log URLs and headers
themselves. So the first client made installs `RedactingFilter` on the
``chatkit_threads``, ``httpx`` and ``httpcore`` loggers, which redacts every record
before any handler sees it: its message, and the traceback (``exc_info``) and stack
(``stack_info``) it carries, whose exception messages, arguments and chained causes may
quote a key as well.
"""

from __future__ import annotations

import logging
import os
import warnings

from ._secrets import any_known, redact

__all__ = ["ENV_VAR", "REDACTED_LOGGERS", "RedactingFilter", "install_redaction", "setup_logging"]

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


# The loggers whose records may quote a URL or a header: ours, httpx's request lines and
# httpcore's traces (a filter on a logger does not apply to its children, so each is named).
REDACTED_LOGGERS = (
    "chatkit_threads",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


# Formats a traceback as logging's handlers do by default.
_TRACEBACKS = logging.Formatter()


class RedactingFilter(logging.Filter):
    """Replaces every known API key in a record's message (see ``chatkit_threads.redact``),
    and in the traceback and stack it carries.

    A record with ``exc_info`` leaves with its traceback already formatted (the standard
    format) and redacted, in ``exc_text``, and ``exc_info`` cleared: handlers print
    ``exc_text`` as they would have printed the traceback, and none can format the
    exception again from the object (its message, its arguments, its frames' locals)
    with the key in it. That happens only once a key is known; before, there is nothing
    to hide and the record is left as it is.

    Runs only for records that are emitted, so logging that is off costs nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: logging reports it as it always does
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if (record.exc_info or record.exc_text or record.stack_info) and any_known():
            _redact_traceback(record)
        return True


def _redact_traceback(record: logging.LogRecord) -> None:
    if record.exc_info:
        if not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        record.exc_info = None
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


_FILTER = RedactingFilter()
_installed = False


def install_redaction() -> None:
    """Put the redacting filter on `REDACTED_LOGGERS` (once per process)."""
    global _installed
    if _installed:
        return
    for name in REDACTED_LOGGERS:
        logging.getLogger(name).addFilter(_FILTER)
    _installed = True
