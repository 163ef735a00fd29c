"""Being a polite client: pacing (`--rate-limit`) and waiting out HTTP 429 answers.

Every request of a run, generated or follow-up, goes through one `Pacer`: it spaces
requests to the rate the user asked for and, when the server answers 429, waits as told
(`retry-after-ms`, then `Retry-After` in seconds or as a date, else exponential backoff)
and retries, a bounded number of times. Checks then judge the real answer, never the 429
that was waited out; the report says how many requests were retried and how long the run
waited.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypeVar

__all__ = ["RATE_LIMITED", "Pacer", "RateLimitStats", "parse_rate", "retry_delay"]

RATE_LIMITED = 429
MAX_RETRIES = 8
MAX_WAIT = 60.0
"""Longest single wait the suite accepts; a server asking for more is waited that long."""
BACKOFF_BASE = 0.5

_UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1.0),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60.0),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600.0),
    **dict.fromkeys(("d", "day", "days"), 86400.0),
}
# `10/s`, `100/m`, `5/10s`, `10 per second`, `600/hour`, `2.5/s`, or a bare `10` (per second).
_RATE = re.compile(
    r"^\s*(?P<count>\d+(?:\.\d+)?)\s*(?:(?:/|\s+per\s+|\s*rp)\s*(?P<every>\d+(?:\.\d+)?)?\s*"
    r"(?P<unit>[a-z]+))?\s*$",
    re.IGNORECASE,
)

Answer = TypeVar("Answer")


def parse_rate(text: str) -> float:
    """Seconds between requests for a rate: `10/s`, `100/m`, `1000/h`, `5/10s` (5 every 10
    seconds), `10 per second`, `600/hour`, `2.5/s`, `10rps`, or a bare `10` (per second)."""
    found = _RATE.match(text)
    count = float(found.group("count")) if found else 0.0
    unit = (found.group("unit") or "s").lower() if found else ""
    if unit == "ps":  # `10rps`: requests per second
        unit = "s"
    if not found or count <= 0 or unit not in _UNITS:
        raise ValueError(
            f"invalid rate {text!r}: use N/s, N/m, N/h or N/d (e.g. 10/s, 100/m, 5/10s, "
            "10 per second)"
        )
    every = float(found.group("every") or 1)
    if every <= 0:
        raise ValueError(f"invalid rate {text!r}: the period must be positive")
    return every * _UNITS[unit] / count


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _seconds(text: str, scale: float = 1.0) -> float | None:
    """A finite, non-negative number of seconds from a header value; `None` if it is not one."""
    try:
        value = float(text) * scale
    except (ValueError, OverflowError):
        return None
    if math.isnan(value):
        return None
    return max(0.0, value)


def _until(date: str) -> float | None:
    """Seconds from now until an HTTP date; `None` for anything that is not a usable date."""
    try:
        when = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, OverflowError, OSError, IndexError):
        # A hostile or broken server may send any year, any text: never a crash.
        return None
    return max(0.0, when - time.time())


def retry_delay(headers: Mapping[str, str], attempt: int) -> float:
    """How long to wait before retry number `attempt` (0-based) of a 429 answer.

    Whatever the server sends (a huge or negative number, NaN, a date in the year
    10**20, text), the answer is a wait between 0 and `MAX_WAIT` seconds.
    """
    millis = _header(headers, "retry-after-ms")
    delay = _seconds(millis, 1 / 1000) if millis is not None else None
    if delay is None:
        seconds = _header(headers, "retry-after")
        if seconds is not None:
            delay = _seconds(seconds)
            if delay is None:
                delay = _until(seconds)
    if delay is None:
        delay = BACKOFF_BASE * 2.0 ** min(attempt, 16)
    return min(MAX_WAIT, delay)


@dataclass
class RateLimitStats:
    """What rate limiting cost a run."""

    retried_requests: int = 0
    retries: int = 0
    waited: float = 0.0
    exhausted: int = 0
    """Requests still answered 429 after the last retry (judged as they were)."""


class Pacer:
    """Spaces requests and waits out 429 answers, for every request of one run."""

    def __init__(self, interval: float = 0.0, max_retries: int = MAX_RETRIES) -> None:
        self.interval = interval
        self.max_retries = max_retries
        self.stats = RateLimitStats()
        self._lock = threading.Lock()
        self._next = 0.0

    def _wait_turn(self) -> None:
        if self.interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)

    def send(
        self,
        call: Callable[[], Answer],
        status: Callable[[Answer], int],
        headers: Callable[[Answer], Mapping[str, str]],
    ) -> Answer:
        """Send through `call`, paced, retrying a 429 answer up to `max_retries` times."""
        self._wait_turn()
        answer = call()
        attempt = 0
        while status(answer) == RATE_LIMITED:
            if attempt >= self.max_retries:
                with self._lock:
                    self.stats.exhausted += 1
                break
            delay = retry_delay(headers(answer), attempt)
            with self._lock:
                self.stats.retries += 1
                self.stats.retried_requests += attempt == 0
                self.stats.waited += delay
            time.sleep(delay)
            attempt += 1
            self._wait_turn()
            answer = call()
        return answer
