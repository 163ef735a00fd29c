"""When and how long to wait before retrying: one policy for the sync and async clients.

The clients' send loops are thin; every decision (is this retryable, how long to wait)
lives here, so the two loops cannot drift apart. Sleep and clock are injectable so tests
never really wait.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping

import attrs

__all__ = ["RETRYABLE_METHODS", "RETRYABLE_STATUSES", "RetryPolicy"]

# Only idempotent requests are retried: repeating them cannot do anything twice.
RETRYABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
# Request timeout, conflict (lock contention), rate limit; every 5xx is checked apart.
RETRYABLE_STATUSES = frozenset({408, 409, 429})
# A number of seconds (or milliseconds) as a server writes it: ASCII digits, maybe a
# fraction, at most 12 of them before the point. Anything else (a sign, "nan", "inf",
# "1e400", "1_000", thousands of digits) is not a usable hint, whatever float() makes of it.
_NUMBER = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,9})?")


async def _asyncio_sleep(seconds: float) -> None:
    """``asyncio.sleep``; asyncio is imported on the first retry of an async call, so a
    program that only uses the sync client never loads it (a third of the import time)."""
    import asyncio

    await asyncio.sleep(seconds)


@attrs.define(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter that honours the server's ``Retry-After``.

    The n-th retry (n = 0, 1, ...) waits ``min(initial_delay * 2**n, max_delay)`` minus up
    to ``jitter`` of it at random, unless the response says how long to wait:
    ``retry-after-ms`` (milliseconds) or ``Retry-After`` (seconds or an HTTP date). A
    server's wait is used when it lies in ``0..max_retry_after`` seconds; a longer one is
    not trusted (a misconfigured server must not stall the caller for hours) and the
    computed backoff is used instead. How many retries happen is ``max_retries`` of the
    client or of the call, not part of the policy.
    """

    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.25
    sleep: Callable[[float], None] = time.sleep
    """Blocking sleep used by the sync client."""
    async_sleep: Callable[[float], Awaitable[None]] = _asyncio_sleep
    """Sleep used by the async client."""
    clock: Callable[[], float] = time.time
    """Wall clock (seconds since the epoch), to turn an HTTP-date ``Retry-After`` into a wait."""
    random: Callable[[], float] = random.random
    """Uniform [0, 1) source for the jitter."""

    def should_retry_status(self, method: str, status: int) -> bool:
        """Whether a response with this status is worth retrying."""
        return method in RETRYABLE_METHODS and (status in RETRYABLE_STATUSES or status >= 500)

    def should_retry_error(self, method: str) -> bool:
        """Whether a connection error or timeout on this request is worth retrying."""
        return method in RETRYABLE_METHODS

    def delay(self, retry_index: int, headers: Mapping[str, str] | None = None) -> float:
        """Seconds to wait before retry number ``retry_index`` (0 for the first retry)."""
        if headers is not None:
            server_wait = self.server_wait(headers)
            if server_wait is not None:
                return server_wait
        backoff = min(self.initial_delay * (2.0**retry_index), self.max_delay)
        return backoff * (1.0 - self.jitter * self.random())

    def server_wait(self, headers: Mapping[str, str]) -> float | None:
        """The wait the server asks for, if it asks for a sane one.

        Whatever the server sends (a date in the year 10**20, a negative, NaN or endless
        number, garbage), this returns ``None`` rather than raise: a value that is not a
        usable hint is ignored and the computed backoff applies.
        """
        wait: float | None = None
        ms = headers.get("retry-after-ms")
        if ms is not None:
            wait = _number(ms)
            wait = None if wait is None else wait / 1000.0
        if wait is None:
            value = headers.get("retry-after")
            if value is not None:
                wait = self._parse_retry_after(value)
        if wait is None or not 0.0 <= wait <= self.max_retry_after:
            return None  # absent, unusable or too long
        return wait

    def _parse_retry_after(self, value: str) -> float | None:
        seconds = _number(value)
        if seconds is not None:
            return seconds
        try:
            when = email.utils.parsedate_to_datetime(value.strip())
            # A date in the past means "now": retry without waiting.
            return max(0.0, when.timestamp() - self.clock())
        except (TypeError, ValueError, IndexError, ArithmeticError, OSError):
            # Not a date, or one no datetime can hold (year 10**20 overflows, a naive
            # date before the epoch may fail in the platform's mktime).
            return None


def _number(value: str) -> float | None:
    """``value`` as a non-negative number of seconds, or ``None`` if it is not one."""
    value = value.strip()
    return float(value) if _NUMBER.fullmatch(value) else None
