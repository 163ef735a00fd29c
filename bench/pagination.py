"""Auto-pagination at scale: walk every item of a 100,000-item thread, limit 100.

Three paths: the mock app in-process (ASGI, sync and async clients) and the mock server
in its own process over 127.0.0.1. On each, this client and the official SDK walk the
same thread with `for item in ...list_items(thread_id, limit=100)` (interleaved walks);
items per second come from untraced walks. Memory comes from a separate walk under
tracemalloc: growth of traced memory over the start of the walk, sampled every 10% of
the items, and the peak. In-process, the server's own allocations count too.
"""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import httpx

from ._harness import Config, Section, Target, median
from ._serve import ServerProcess
from .transport import SyncASGITransport

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


def _walk_sync(make: Callable[[], Iterator[Any]], expected: int, trace: bool) -> Walk:
    tracer = _Tracer(trace, expected // 10)
    tracer.start()
    started = time.perf_counter()
    n = 0
    try:
        for item in make():
            if item.id:
                n += 1
                tracer.tick(n)
    finally:
        elapsed = time.perf_counter() - started
        tracer.stop()
    if n != expected:
        raise AssertionError(f"walked {n} items, expected {expected}")
    return Walk(n, elapsed, tracer.points)


async def _walk_async(make: Callable[[], AsyncIterator[Any]], expected: int, trace: bool) -> Walk:
    tracer = _Tracer(trace, expected // 10)
    tracer.start()
    started = time.perf_counter()
    n = 0
    try:
        async for item in make():
            if item.id:
                n += 1
                tracer.tick(n)
    finally:
        elapsed = time.perf_counter() - started
        tracer.stop()
    if n != expected:
        raise AssertionError(f"walked {n} items, expected {expected}")
    return Walk(n, elapsed, tracer.points)


def _sync_walkers(
    make_http: Callable[[], httpx.Client], base_url: str, api_key: str, thread_id: str
) -> dict[str, Callable[[], Iterator[Any]]]:
    from openai import OpenAI

    from chatkit_threads import ChatKit

    ours = ChatKit(api_key=api_key, base_url=base_url, http_client=make_http(), max_retries=0)
    sdk = OpenAI(
        api_key=api_key,
        base_url=base_url,
        http_client=cast(Any, make_http()),  # openai 3.x accepts an httpx client at runtime
        max_retries=0,
    )
    return {
        OURS: lambda: iter(ours.threads.list_items(thread_id, limit=LIMIT)),
        SDK: lambda: iter(sdk.beta.chatkit.threads.list_items(thread_id, limit=LIMIT)),
    }


def _async_walkers(
    make_http: Callable[[], httpx.AsyncClient], base_url: str, api_key: str, thread_id: str
) -> dict[str, Callable[[], AsyncIterator[Any]]]:
    from openai import AsyncOpenAI

    from chatkit_threads import AsyncChatKit

    ours = AsyncChatKit(api_key=api_key, base_url=base_url, http_client=make_http(), max_retries=0)
    sdk = AsyncOpenAI(
        api_key=api_key, base_url=base_url, http_client=cast(Any, make_http()), max_retries=0
    )
    return {
        OURS: lambda: ours.threads.list_items(thread_id, limit=LIMIT).__aiter__(),
        SDK: lambda: sdk.beta.chatkit.threads.list_items(thread_id, limit=LIMIT).__aiter__(),
    }


def _measure_sync(
    walkers: dict[str, Callable[[], Iterator[Any]]], expected: int, rounds: int
) -> tuple[dict[str, list[Walk]], Walk]:
    walks: dict[str, list[Walk]] = {name: [] for name in walkers}
    names = list(walkers)
    for make in walkers.values():  # warm up: first pages (imports, model caches, connection)
        for _ in zip(range(WARMUP_PAGES * LIMIT), make(), strict=False):
            pass
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            walks[name].append(_walk_sync(walkers[name], expected, trace=False))
    return walks, _walk_sync(walkers[OURS], expected, trace=True)


async def _measure_async(
    walkers: dict[str, Callable[[], AsyncIterator[Any]]], expected: int, rounds: int
) -> tuple[dict[str, list[Walk]], Walk]:
    walks: dict[str, list[Walk]] = {name: [] for name in walkers}
    names = list(walkers)
    for make in walkers.values():  # warm up: first pages
        seen = 0
        async for _ in make():
            seen += 1
            if seen >= WARMUP_PAGES * LIMIT:
                break
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            walks[name].append(await _walk_async(walkers[name], expected, trace=False))
    return walks, await _walk_async(walkers[OURS], expected, trace=True)


def run(config: Config) -> Section:
    from chatkit_threads_mock import DEFAULT_API_KEY, create_app
    from chatkit_threads_mock.seed import seed_synthetic
    from chatkit_threads_mock.store import ThreadStore, project_for_key

    total = config.pagination_items
    section = Section(
        name="pagination",
        title=f"Auto-pagination: walk {total:,} items of one thread, limit {LIMIT}",
        header=[
            "path",
            f"{OURS} items/s",
            "openai SDK items/s",
            "ours/SDK speed",
            "peak mem growth (ours)",
            "growth at 10% -> 100%",
        ],
    )
    store = ThreadStore()
    started = time.perf_counter()
    seed_synthetic(store, DEFAULT_API_KEY, threads=1, items_per_thread=total)
    section.data["seed_s"] = round(time.perf_counter() - started, 2)
    thread_id = next(store.iter_thread_ids(project_for_key(DEFAULT_API_KEY)))
    app = create_app(store=store, api_keys=[DEFAULT_API_KEY])
    base = "http://mock.invalid/v1"
    results: dict[str, tuple[dict[str, list[Walk]], Walk]] = {}

    results["in-process sync (ASGI)"] = _measure_sync(
        _sync_walkers(
            lambda: httpx.Client(transport=SyncASGITransport(app)), base, DEFAULT_API_KEY, thread_id
        ),
        total,
        config.pagination_rounds,
    )

    async def in_process_async() -> tuple[dict[str, list[Walk]], Walk]:
        walkers = _async_walkers(
            lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=app)),
            base,
            DEFAULT_API_KEY,
            thread_id,
        )
        return await _measure_async(walkers, total, config.pagination_rounds)

    results["in-process async (ASGI)"] = asyncio.run(in_process_async())
    store.close()
    gc.collect()

    with ServerProcess(1, 1, total, samples=1) as server:
        loop_id = server.info["item_thread_ids"][0]
        key = server.info["api_key"]
        results["127.0.0.1 sync (uvicorn)"] = _measure_sync(
            _sync_walkers(httpx.Client, server.base_url, key, loop_id),
            total,
            config.pagination_rounds,
        )

        async def loopback_async() -> tuple[dict[str, list[Walk]], Walk]:
            walkers = _async_walkers(httpx.AsyncClient, server.base_url, key, loop_id)
            return await _measure_async(walkers, total, config.pagination_rounds)

        results["127.0.0.1 async (uvicorn)"] = asyncio.run(loopback_async())

    figures: dict[str, Any] = {}
    for path, (walks, traced) in results.items():
        rates = {name: median([w.rate for w in ws]) for name, ws in walks.items()}
        speed = rates[OURS] / rates[SDK] if rates.get(SDK) else float("nan")
        peak_mb = traced.peak_growth / MB
        points = traced.memory
        early = points[0][2] / MB if points else float("nan")
        figures[path] = {
            "items_per_s": {name: round(rate, 1) for name, rate in rates.items()},
            "walk_s": {name: [round(w.seconds, 3) for w in ws] for name, ws in walks.items()},
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
                f"{rates[OURS]:,.0f}",
                f"{rates.get(SDK, float('nan')):,.0f}",
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
    section.data["paths"] = figures
    section.data["items"] = total
    section.data["limit"] = LIMIT
    section.data["rounds"] = config.pagination_rounds
    return section
