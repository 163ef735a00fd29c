"""Auto-pagination at scale: walk every item of a 100,000-item thread, limit 100.

Three paths: the mock app in-process (ASGI, sync and async clients) and the mock server
in its own process over 127.0.0.1 (sync client). On each path:

- items/s: this client walks the whole thread with
  `for item in client.threads.list_items(thread_id, limit=100)`, untraced;
- speed vs the official SDK: both walk the same first `pagination_compare_items` items,
  interleaved (a prefix, because the SDK is several times slower and the whole walk
  would dominate the run; pages cost the same at any depth with keyset pagination);
- memory: another whole walk under tracemalloc, sampling traced memory over the start of
  the walk every 10% of the items, and its peak. In-process, the server's allocations
  count too. httpx responses sit in reference cycles (Response <-> its bound stream),
  so memory rises between full garbage collections and falls back: the peak is what
  a caller sees, and it stops growing once the collector has run.
"""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._harness import Config, Section, Target, median
from ._serve import ServerProcess
from .transport import sync_asgi_transport

__all__ = ["run"]

LIMIT = 100
WARMUP_PAGES = 3
MAX_PEAK_GROWTH_MB = 10.0
OURS, SDK = "chatkit_threads", "openai"
MB = 1024 * 1024


@dataclass
class Walk:
    items: int
    seconds: float
    # (items walked, traced memory over the start, peak over the start), in bytes.
    memory: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else float("nan")

    @property
    def peak_growth(self) -> int:
        return max((peak for _, _, peak in self.memory), default=0)


class _Tracer:
    """tracemalloc checkpoints every `every` items (or nothing when not tracing)."""

    def __init__(self, trace: bool, every: int) -> None:
        self.trace = trace
        self.every = max(1, every)
        self.points: list[tuple[int, int, int]] = []
        self.base = 0

    def start(self) -> None:
        gc.collect()
        if self.trace:
            tracemalloc.start()
            self.base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()

    def tick(self, n: int) -> None:
        if self.trace and n % self.every == 0:
            current, peak = tracemalloc.get_traced_memory()
            self.points.append((n, current - self.base, peak - self.base))

    def stop(self) -> None:
        if self.trace:
            tracemalloc.stop()


def _walk_sync(
    make: Callable[[], Iterator[Any]], expected: int, trace: bool, stop: int | None = None
) -> Walk:
    """Walk every item (or the first `stop`), reading each one's id."""
    tracer = _Tracer(trace, expected // 10)
    tracer.start()
    started = time.perf_counter()
    n = 0
    try:
        for item in make():
            if item.id:
                n += 1
                tracer.tick(n)
            if n == stop:
                break
    finally:
        elapsed = time.perf_counter() - started
        tracer.stop()
    if n != (stop or expected):
        raise AssertionError(f"walked {n} items, expected {stop or expected}")
    return Walk(n, elapsed, tracer.points)


async def _walk_async(
    make: Callable[[], AsyncIterator[Any]], expected: int, trace: bool, stop: int | None = None
) -> Walk:
    tracer = _Tracer(trace, expected // 10)
    tracer.start()
    started = time.perf_counter()
    n = 0
    try:
        async for item in make():
            if item.id:
                n += 1
                tracer.tick(n)
            if n == stop:
                break
    finally:
        elapsed = time.perf_counter() - started
        tracer.stop()
    if n != (stop or expected):
        raise AssertionError(f"walked {n} items, expected {stop or expected}")
    return Walk(n, elapsed, tracer.points)


@dataclass
class PathResult:
    """Comparison walks (prefix, interleaved), this client's full walk, and its traced walk."""

    compare: dict[str, list[Walk]]
    full: Walk
    traced: Walk


HttpFactory = Callable[[Any], dict[str, Any]]
"""The `http_client` argument for a client of an HTTP library (httpx or httpx2): `{}`
to let each client make its own default one."""


def _default_http(family: Any) -> dict[str, Any]:
    return {}


def _sync_walkers(
    make_http: HttpFactory, base_url: str, api_key: str, thread_id: str
) -> dict[str, Callable[[], Iterator[Any]]]:
    import httpx2
    from openai import OpenAI

    from chatkit_threads import ChatKit

    ours = ChatKit(api_key=api_key, base_url=base_url, max_retries=0, **make_http(httpx))
    sdk = OpenAI(api_key=api_key, base_url=base_url, max_retries=0, **make_http(httpx2))
    return {
        OURS: lambda: iter(ours.threads.list_items(thread_id, limit=LIMIT)),
        SDK: lambda: iter(sdk.beta.chatkit.threads.list_items(thread_id, limit=LIMIT)),
    }


def _async_walkers(
    make_http: HttpFactory, base_url: str, api_key: str, thread_id: str
) -> dict[str, Callable[[], AsyncIterator[Any]]]:
    import httpx2
    from openai import AsyncOpenAI

    from chatkit_threads import AsyncChatKit

    ours = AsyncChatKit(api_key=api_key, base_url=base_url, max_retries=0, **make_http(httpx))
    sdk = AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0, **make_http(httpx2))
    return {
        OURS: lambda: ours.threads.list_items(thread_id, limit=LIMIT).__aiter__(),
        SDK: lambda: sdk.beta.chatkit.threads.list_items(thread_id, limit=LIMIT).__aiter__(),
    }


def _measure_sync(
    walkers: dict[str, Callable[[], Iterator[Any]]], total: int, config: Config
) -> PathResult:
    compare: dict[str, list[Walk]] = {name: [] for name in walkers}
    names = list(walkers)
    prefix = min(total, config.pagination_compare_items)
    for make in walkers.values():  # warm up: imports, model caches, the connection
        _walk_sync(make, total, trace=False, stop=min(total, WARMUP_PAGES * LIMIT))
    for round_ in range(config.pagination_rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            compare[name].append(_walk_sync(walkers[name], total, trace=False, stop=prefix))
    full = _walk_sync(walkers[OURS], total, trace=False)
    return PathResult(compare, full, _walk_sync(walkers[OURS], total, trace=True))


async def _measure_async(
    walkers: dict[str, Callable[[], AsyncIterator[Any]]], total: int, config: Config
) -> PathResult:
    compare: dict[str, list[Walk]] = {name: [] for name in walkers}
    names = list(walkers)
    prefix = min(total, config.pagination_compare_items)
    for make in walkers.values():
        await _walk_async(make, total, trace=False, stop=min(total, WARMUP_PAGES * LIMIT))
    for round_ in range(config.pagination_rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            compare[name].append(await _walk_async(walkers[name], total, trace=False, stop=prefix))
    full = await _walk_async(walkers[OURS], total, trace=False)
    return PathResult(compare, full, await _walk_async(walkers[OURS], total, trace=True))


def _summary(figures: dict[str, Any], total: int, prefix: int) -> list[str]:
    """Plain statements the table cannot make: is the peak level, and what the rates are."""
    lines = []
    second_half = []
    for path, figure in figures.items():
        points = figure["memory_checkpoints"]
        middle = [p["peak_mb"] for p in points if p["items"] <= total // 2]
        if middle and points:
            second_half.append(f"{path} +{points[-1]['peak_mb'] - middle[-1]:.2f} MB")
    if second_half:
        lines.append(
            "peak memory growth during the second half of the walk: "
            + ", ".join(second_half)
            + " (traced memory rises between full garbage collections, since httpx keeps "
            "each response in a reference cycle, then falls back; see memory_checkpoints)"
        )
    lines.append(
        f"ours items/s: one untraced walk of all {total:,} items; the SDK comparison: "
        f"interleaved walks of the first {prefix:,} items (rates on a shared machine vary "
        "from minute to minute, so compare within a row)"
    )
    return lines


def run(config: Config) -> Section:
    from chatkit_threads_mock import DEFAULT_API_KEY, create_app
    from chatkit_threads_mock.seed import seed_synthetic
    from chatkit_threads_mock.store import ThreadStore, project_for_key

    total = config.pagination_items
    prefix = min(total, config.pagination_compare_items)
    section = Section(
        name="pagination",
        title=f"Auto-pagination: walk {total:,} items of one thread, limit {LIMIT}",
        header=[
            "path",
            "ours items/s",
            f"ours / SDK items/s (first {prefix:,})",
            "speed vs SDK",
            "peak mem growth",
            "peak at 10% -> 100%",
        ],
        about=(
            f"Items per second of `for item in client.threads.list_items(thread, limit={LIMIT})` "
            "over the whole thread, and against the SDK on an interleaved prefix; every "
            "client on an HTTP client of its own library (httpx, httpx2 for the SDK): "
            "in-process on an ASGI transport of the mock app, and over 127.0.0.1 each on its "
            "own default HTTP client. Memory: tracemalloc peak growth during a whole walk."
        ),
    )
    store = ThreadStore()
    started = time.perf_counter()
    seed_synthetic(store, DEFAULT_API_KEY, threads=1, items_per_thread=total)
    section.data["seed_s"] = round(time.perf_counter() - started, 2)
    thread_id = next(store.iter_thread_ids(project_for_key(DEFAULT_API_KEY)))
    # The SDK sends the beta header value it was released with, which a spec change can
    # move past; these walks measure paging, and the header is the contract suite's job.
    app = create_app(store=store, api_keys=[DEFAULT_API_KEY], require_beta_header=False)
    base = "http://mock.invalid/v1"
    results: dict[str, PathResult] = {}

    results["in-process sync (ASGI)"] = _measure_sync(
        _sync_walkers(
            lambda family: {
                "http_client": family.Client(transport=sync_asgi_transport(family, app))
            },
            base,
            DEFAULT_API_KEY,
            thread_id,
        ),
        total,
        config,
    )

    async def in_process_async() -> PathResult:
        walkers = _async_walkers(
            lambda family: {
                "http_client": family.AsyncClient(transport=family.ASGITransport(app=app))
            },
            base,
            DEFAULT_API_KEY,
            thread_id,
        )
        return await _measure_async(walkers, total, config)

    results["in-process async (ASGI)"] = asyncio.run(in_process_async())
    store.close()
    gc.collect()

    with ServerProcess(1, 1, total, samples=1, require_beta_header=False) as server:
        results["127.0.0.1 sync (uvicorn)"] = _measure_sync(
            _sync_walkers(
                _default_http,
                server.base_url,
                server.info["api_key"],
                server.info["item_thread_ids"][0],
            ),
            total,
            config,
        )

    figures: dict[str, Any] = {}
    for path, result in results.items():
        rates = {name: median([w.rate for w in ws]) for name, ws in result.compare.items()}
        speed = rates[OURS] / rates[SDK] if rates.get(SDK) else float("nan")
        traced = result.traced
        peak_mb = traced.peak_growth / MB
        points = traced.memory
        early = points[0][2] / MB if points else float("nan")
        figures[path] = {
            "items_per_s": round(result.full.rate, 1),
            "walk_s": round(result.full.seconds, 3),
            "compare_items": prefix,
            "compare_items_per_s": {name: round(rate, 1) for name, rate in rates.items()},
            "compare_walk_s": {
                name: [round(w.seconds, 3) for w in ws] for name, ws in result.compare.items()
            },
            "ours_vs_sdk_speed": round(speed, 3),
            "traced_walk_s": round(traced.seconds, 3),
            "peak_growth_mb": round(peak_mb, 3),
            "memory_checkpoints": [
                {"items": n, "current_mb": round(cur / MB, 3), "peak_mb": round(peak / MB, 3)}
                for n, cur, peak in points
            ],
        }
        section.rows.append(
            [
                path,
                f"{result.full.rate:,.0f}",
                f"{rates[OURS]:,.0f} / {rates.get(SDK, float('nan')):,.0f}",
                f"{speed:.2f}x",
                f"{peak_mb:.2f} MB",
                f"{early:.2f} -> {peak_mb:.2f} MB",
            ]
        )
        section.targets.append(
            Target(
                name=f"pagination {path}: peak memory growth over {total:,} items",
                goal=f"tracemalloc peak growth stays under {MAX_PEAK_GROWTH_MB:.0f} MB",
                measured=round(peak_mb, 3),
                limit=MAX_PEAK_GROWTH_MB,
                unit="MB",
            )
        )
    section.summary += _summary(figures, total, prefix)
    section.data["paths"] = figures
    section.data["items"] = total
    section.data["limit"] = LIMIT
    section.data["rounds"] = config.pagination_rounds
    return section
