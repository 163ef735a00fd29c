"""Fault injection, for testing how clients cope with a misbehaving server.

A fault spec is a comma-separated list of `name=value`:

    latency=50ms     added before every answer (also `0.05s`, or a bare number of ms)
    429=0.1          rate of 429 answers, with `Retry-After` (see `retry-after`)
    retry-after=1    seconds sent in `Retry-After` on an injected 429 (default 1)
    500=0.05         rate of 500 answers
    503=0.05         rate of 503 answers
    drop=0.01        rate of connections dropped halfway through the response body
    seed=42          seed of the random draws, for reproducible runs (default 0)

Rates are probabilities in 0..1, drawn once per request in that order. A spec can be
set for the whole server (`--faults`) or sent with one request in the
`X-Mock-Faults` header, which then replaces the server's spec for that request. Each
distinct header spec keeps its own seeded sequence for the life of the server, so
sending `500=0.3,seed=7` with every request fails about 30% of them, the same ones on
every run against a fresh server. An injected 429 carries `Retry-After` (seconds) and
`retry-after-ms`; `drop` sends the status line and half the body, then closes the
connection.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

__all__ = ["FAULT_HEADER", "FaultSpec", "parse_faults"]

FAULT_HEADER = "x-mock-faults"

_RATES = {"429": "rate_429", "500": "rate_500", "503": "rate_503", "drop": "rate_drop"}


@dataclass
class FaultSpec:
    """What to inject, and the seeded random source that decides when."""

    latency: float = 0.0
    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_503: float = 0.0
    rate_drop: float = 0.0
    retry_after: float = 1.0
    seed: int = 0
    _random: random.Random = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        """The fault for the next request (`"429"`, `"500"`, `"503"`, `"drop"`) or None."""
        with self._lock:
            for name, attribute in _RATES.items():
                rate = getattr(self, attribute)
                if rate and self._random.random() < rate:
                    return name
        return None


def _seconds(text: str) -> float:
    text = text.strip().lower()
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    if text.endswith("s"):
        return float(text[:-1])
    return float(text) / 1000


def parse_faults(spec: str) -> FaultSpec:
    """Parse a fault spec (see the module docstring); ValueError names the bad part."""
    values: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, raw = part.partition("=")
        name = name.strip().lower()
        if not sep:
            raise ValueError(f"fault {part!r}: expected name=value")
        try:
            if name == "latency":
                values["latency"] = _seconds(raw)
            elif name == "retry-after":
                values["retry_after"] = float(raw)
            elif name == "seed":
                values["seed"] = int(raw)
            elif name in _RATES:
                rate = float(raw)
                if not 0 <= rate <= 1:
                    raise ValueError("a rate must be between 0 and 1")
                values[_RATES[name]] = rate
            else:
                known = ", ".join(["latency", "retry-after", "seed", *_RATES])
                raise ValueError(f"unknown fault (known: {known})")
        except ValueError as error:
            raise ValueError(f"fault {part!r}: {error}") from None
        if values.get("latency", 0) < 0 or values.get("retry_after", 0) < 0:
            raise ValueError(f"fault {part!r}: must not be negative")
    seed = int(values.pop("seed", 0))
    return FaultSpec(**values, seed=seed)
