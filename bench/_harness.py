"""What every benchmark shares: run settings, timing statistics, targets and results.

Each benchmark module has `run(config) -> Section`. A section carries the rows of its
table (already formatted), the raw figures for the JSON file, and its targets, each of
which says plainly whether it was met.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from chatkit_threads_api.spec_constants import FIXED_HEADERS

__all__ = [
    "Config",
    "Section",
    "Target",
    "fmt_ms",
    "fmt_rate",
    "fmt_us",
    "median",
    "percentile",
    "request_headers",
]


@dataclass(frozen=True)
class Config:
    """Sizes and repetitions of one run; `Config.full()` is the real run."""

    quick: bool
    # Client overhead: interleaved rounds, and the time one timed batch should take.
    overhead_rounds: int
    overhead_batch_s: float
    # Calls to warm up each contender (and as many again to size its batches); sync calls
    # over which garbage collections are counted.
    overhead_warmup: int
    gc_calls: int
    # Auto-pagination: items in the walked thread; the prefix on which this client and
    # the SDK are compared, and interleaved comparison walks per contender.
    pagination_items: int
    pagination_compare_items: int
    pagination_rounds: int
    # Mock server: thread counts, rounds, keep-alive connections; wrk's seconds per run;
    # without wrk, requests per run of the Python generator and its time cap; Prism or not.
    server_sizes: tuple[int, ...]
    server_rounds: int
    server_concurrency: int
    server_use_wrk: bool
    server_duration_s: int
    server_requests: int
    server_chunk_cap_s: float
    server_prism: bool
    # Contract suite: `--max-examples` (None: the command's default), repeats of each
    # command; generate repeats; import-time rounds.
    contract_max_examples: int | None
    contract_phases: str | None
    contract_repeats: int
    generate_repeats: int
    import_rounds: int

    @staticmethod
    def full() -> Config:
        return Config(
            quick=False,
            overhead_rounds=25,
            overhead_batch_s=0.05,
            overhead_warmup=30,
            gc_calls=500,
            pagination_items=100_000,
            pagination_compare_items=20_000,
            pagination_rounds=2,
            server_sizes=(10_000, 1_000_000),
            server_rounds=7,
            server_concurrency=4,
            server_use_wrk=True,
            server_duration_s=1,
            server_requests=1_000,
            server_chunk_cap_s=6.0,
            server_prism=True,
            contract_max_examples=None,
            contract_phases=None,
            contract_repeats=3,
            generate_repeats=3,
            import_rounds=15,
        )

    @staticmethod
    def quick_run() -> Config:
        return Config(
            quick=True,
            overhead_rounds=5,
            overhead_batch_s=0.02,
            overhead_warmup=20,
            gc_calls=200,
            pagination_items=10_000,
            pagination_compare_items=5_000,
            pagination_rounds=1,
            server_sizes=(10_000, 100_000),
            server_rounds=2,
            server_concurrency=4,
            server_use_wrk=True,
            server_duration_s=1,
            server_requests=600,
            server_chunk_cap_s=3.0,
            server_prism=True,
            contract_max_examples=5,
            contract_phases=None,
            contract_repeats=2,
            generate_repeats=1,
            import_rounds=5,
        )

    @staticmethod
    def tiny() -> Config:
        """Smallest sizes that still exercise every code path (the smoke test)."""
        return Config(
            quick=True,
            overhead_rounds=2,
            overhead_batch_s=0.002,
            overhead_warmup=3,
            gc_calls=10,
            pagination_items=250,
            pagination_compare_items=200,
            pagination_rounds=1,
            server_sizes=(200, 400),
            server_rounds=2,
            server_concurrency=2,
            # The Python generator, no Prism: the smoke test stays fast and needs neither.
            server_use_wrk=False,
            server_duration_s=1,
            server_requests=40,
            server_chunk_cap_s=2.0,
            server_prism=False,
            contract_max_examples=1,
            contract_phases="examples",
            contract_repeats=1,
            generate_repeats=1,
            import_rounds=1,
        )


@dataclass
class Target:
    """One target (issue 15) and what was measured against it."""

    name: str
    goal: str
    measured: float | None
    limit: float
    unit: str = ""
    # "max": measured must be <= limit; "min": measured must be >= limit.
    kind: str = "max"
    note: str = ""

    @property
    def met(self) -> bool | None:
        """None when nothing could be measured."""
        if self.measured is None or math.isnan(self.measured):
            return None
        return self.measured <= self.limit if self.kind == "max" else self.measured >= self.limit

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: "not measured"}[self.met]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "goal": self.goal,
            "measured": self.measured,
            "limit": self.limit,
            "unit": self.unit,
            "met": self.met,
            "verdict": self.verdict,
            "note": self.note,
        }


@dataclass
class Section:
    """The outcome of one benchmark."""

    name: str
    title: str
    about: str = ""
    """What exactly is measured, in a sentence or two (printed under the title)."""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)
    """Key figures that are not rows of the table (printed under it)."""
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    elapsed_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "about": self.about,
            "elapsed_s": round(self.elapsed_s, 2),
            "error": self.error,
            "table": {"header": self.header, "rows": self.rows},
            "summary": self.summary,
            "targets": [t.to_json() for t in self.targets],
            "notes": self.notes,
            "data": self.data,
        }


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank on the sorted values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def fmt_us(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.0f} us" if value >= 100 else f"{value:.1f} us"


def fmt_ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.2f} ms"


def fmt_rate(value: float, unit: str) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.0f} {unit}"


def request_headers(api_key: str) -> dict[str, str]:
    """The headers of a raw request to the API: the key and the spec's fixed headers."""
    return {"Authorization": f"Bearer {api_key}", **FIXED_HEADERS}
