"""Keeping keys and secret headers out of every report, log line and reproducer.

A run knows its secrets: the API keys it was given and the values of secret-looking
headers (`Authorization`, `*-Key`, `*-Token`, `*-Secret`, cookies) passed with `-H`. A
server may echo any of them back (as a cursor, a thread id, in a body); whatever reaches
a message, the report, a recorded exchange or a curl line goes through `Redactor`, which
replaces every spelling of each secret the client library's own redaction knows (raw,
URL-, HTML-, JSON-escaped).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from chatkit_threads import redact

__all__ = ["Redactor", "is_secret_header", "redacted_logs"]

_SECRET_HEADER = re.compile(
    r"^(authorization|proxy-authorization|cookie|set-cookie|.*-(key|token|secret))$",
    re.IGNORECASE,
)


def is_secret_header(name: str) -> bool:
    """Whether a header of this name carries a credential (its value is never shown)."""
    return bool(_SECRET_HEADER.match(name.strip()))


@dataclass
class Redactor:
    """The secrets of one run, and how to hide them."""

    secrets: list[str] = field(default_factory=list)

    def add(self, *values: str | None) -> Redactor:
        """Remember more secrets (empty values are ignored); returns self."""
        for value in values:
            if value and value not in self.secrets:
                self.secrets.append(value)
                # A bearer header is also seen without its scheme.
                scheme, _, token = value.partition(" ")
                if scheme.lower() == "bearer" and token and token not in self.secrets:
                    self.secrets.append(token)
        return self

    def add_headers(self, headers: Iterable[tuple[str, str]]) -> Redactor:
        """Remember the values of the secret-looking headers among `headers`."""
        for name, value in headers:
            if is_secret_header(name):
                self.add(value)
        return self

    def add_url(self, url: str) -> Redactor:
        """Remember the password of a `user:pass@` base URL."""
        password = urlsplit(url).password
        return self.add(password)

    def text(self, text: str) -> str:
        """`text` with every known secret replaced."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = redact(text, secret)
        return text

    def header(self, name: str, value: str) -> str:
        """A header's value as shown: hidden whole for a secret header, else redacted."""
        return redact(value, value) if is_secret_header(name) and value else self.text(value)


@contextlib.contextmanager
def redacted_logs(redactor: Redactor) -> Iterator[None]:
    """Redact every log record made during a run, whichever library logs it (httpx logs
    each URL at INFO, urllib3 and httpcore at DEBUG): the record's message is rendered
    and redacted when the record is made, before any handler sees it."""
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:
            return record  # a broken log call is the caller's; leave it as it was
        shown = redactor.text(message)
        if shown != message:
            record.msg, record.args = shown, None
        return record

    logging.setLogRecordFactory(factory)
    try:
        yield
    finally:
        logging.setLogRecordFactory(previous)
