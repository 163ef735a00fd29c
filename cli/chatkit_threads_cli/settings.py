"""The global options, and the client they configure."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from chatkit_threads import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, ChatKit

from .errors import UsageProblem
from .pool import tolerant
from .terminal import hide_secrets, safe

__all__ = ["Settings"]


class _Hiding(logging.Formatter):
    """Log lines with the secrets hidden (a server may echo the key back as a cursor,
    and the next request's URL carries it) and no terminal control characters."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        """The line as usual, then made safe."""
        return safe(hide_secrets(super().format(record), self._secrets))


@dataclass
class Settings:
    """What the global options say; ``client()`` builds the client on first use, so that
    commands needing no API key (``mock``, ``contract``, ``--help``) never ask for one."""

    base_url: str | None = None
    api_key: str | None = None
    timeout: float | None = None
    max_retries: int | None = None
    strict: bool = False
    debug: bool = False
    _client: ChatKit | None = field(default=None, repr=False)
    _log_handler: logging.Handler | None = field(default=None, repr=False)

    def client(self) -> ChatKit:
        """The shared ``ChatKit`` client (closed by ``close()``)."""
        if self._client is None:
            if not self.api_key:
                raise UsageProblem("no API key: pass --api-key or set OPENAI_API_KEY")
            if self.base_url is not None and "@" in urlsplit(self.base_url).netloc:
                # httpx would send them as Basic auth in place of the key; and the
                # password would show in every message naming a URL.
                raise UsageProblem(
                    "the base URL must not hold credentials (user:password@host): "
                    "the API key is the credential"
                )
            self._client = tolerant(
                ChatKit(
                    api_key=self.api_key,
                    base_url=self.base_url,
                    timeout=DEFAULT_TIMEOUT if self.timeout is None else self.timeout,
                    max_retries=DEFAULT_MAX_RETRIES
                    if self.max_retries is None
                    else self.max_retries,
                    strict=self.strict,
                )
            )
        return self._client

    @property
    def secrets(self) -> list[str]:
        """What no output may show: the key, and a password in the base URL."""
        found = [self.api_key] if self.api_key else []
        try:
            password = urlsplit(self.base_url or "").password
        except ValueError:
            password = None
        return found + ([password] if password else [])

    def close(self) -> None:
        """Close the client's connection pool, if one was opened, and stop logging."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._log_handler is not None:
            # Undo --debug: when run in-process (tests, main()) the logger outlives us.
            logger = logging.getLogger("chatkit_threads")
            logger.removeHandler(self._log_handler)
            logger.setLevel(logging.NOTSET)
            self._log_handler = None

    def configure_logging(self) -> None:
        """With ``--debug``, show the client's request log (method, URL, status; never
        the key) on stderr."""
        if self.debug:
            handler = logging.StreamHandler()
            handler.setFormatter(_Hiding("%(levelname)s %(name)s: %(message)s", self.secrets))
            logger = logging.getLogger("chatkit_threads")
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG)
            self._log_handler = handler
