"""Mock server throughput and latency at 10k and 1M threads, over 127.0.0.1.

One server process per size (bench._serve, uvicorn, in-memory SQLite), both running at
once; the load generator (bench.loadgen) lives in this process. Rounds interleave the
sizes and the scenarios, so a burst of noise on the shared machine hits both sizes.

Scenarios: list threads and list a thread's items, limit 20 and 100. List requests
start from a cursor (`after=`) spread over the whole listing, so the keyset lookup is
exercised at every depth; item listings go to threads with 100 items each.

Data: `size` threads, and 1% of them (at least 10) with 100 items, so the items table
grows with the threads table (1M threads: 1M items). Before the measured rounds, every
sample path of every scenario is requested once on both servers (discarded warm-up).
"""

from __future__ import annotations

import time
from typing import Any

from ._harness import Config, Section, Target, fmt_ms, median, percentile
from ._serve import ServerProcess
from .loadgen import LoadResult, build_requests, run_load

__all__ = ["SCENARIOS", "run"]

SCENARIOS = (
    ("list", 20),
    ("list", 100),
    ("list_items", 20),
    ("list_items", 100),
)
ITEMS_PER_THREAD = 100
# Issue 8: p99 at 1M threads within 2x of p99 at 10k.
MAX_P99_GROWTH = 2.0


def _item_threads(size: int) -> int:
    return min(size, max(10, size // 100))


def _paths(info: dict[str, Any], op: str, limit: int) -> list[str]:
    if op == "list":
        return [f"/v1/chatkit/threads?limit={limit}&after={tid}" for tid in info["thread_ids"]]
    return [f"/v1/chatkit/threads/{tid}/items?limit={limit}" for tid in info["item_thread_ids"]]


def _label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1_000 and size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


def run(config: Config) -> Section:
    sizes = config.server_sizes
    section = Section(
        name="server",
        title=(
            f"Mock server over 127.0.0.1 ({config.server_concurrency} keep-alive connections, "
            f"{config.server_requests:,} requests per scenario and size)"
        ),
        header=[
            "operation",
            "limit",
            *[f"{what} @{_label(s)}" for s in sizes for what in ("rps", "p50", "p99")],
            "p99 ratio",
        ],
    )
    servers = [
        ServerProcess(size, _item_threads(size), ITEMS_PER_THREAD, samples=500) for size in sizes
    ]
    try:
        # Seed both at once (two cores); the seed time of each is measured in its process.
        for server in servers:
            server.start()
        infos = [server.wait_ready(timeout=600) for server in servers]
        section.data["servers"] = [
            {
                "threads": info["threads"],
                "items": info["items"],
                "seed_threads_s": round(info["seed_threads_s"], 2),
                "seed_items_s": round(info["seed_items_s"], 2),
                "max_rss_mb": round(info["max_rss_mb"], 1),
            }
            for info in infos
        ]
        auth = {"Authorization": f"Bearer {infos[0]['api_key']}", "OpenAI-Beta": "chatkit_beta=v1"}
        requests = {
            (index, op, limit): build_requests(_paths(info, op, limit), auth, "127.0.0.1")
            for index, info in enumerate(infos)
            for op, limit in SCENARIOS
        }
        # Warm up (discarded): every sample path of every scenario once, on both servers.
        for index, info in enumerate(infos):
            for op, limit in SCENARIOS:
                run_load(
                    info["port"],
                    requests[index, op, limit],
                    total=min(len(requests[index, op, limit]), config.server_requests),
                    concurrency=config.server_concurrency,
                    cap_s=config.server_chunk_cap_s,
                )
        per_round = max(1, config.server_requests // config.server_rounds)
        results: dict[tuple[int, str, int], list[LoadResult]] = {key: [] for key in requests}
        for round_ in range(config.server_rounds):
            for op, limit in SCENARIOS:
                order = list(range(len(infos)))
                if round_ % 2:
                    order.reverse()
                for index in order:
                    results[index, op, limit].append(
                        run_load(
                            infos[index]["port"],
                            requests[index, op, limit],
                            total=per_round,
                            concurrency=config.server_concurrency,
                            cap_s=config.server_chunk_cap_s,
                        )
                    )
    finally:
        for server in servers:
            server.stop()

    figures: list[dict[str, Any]] = []
    errors = 0
    for op, limit in SCENARIOS:
        row = [op, str(limit)]
        p99s: list[float] = []
        for index, size in enumerate(sizes):
            chunks = results[index, op, limit]
            latencies = [x for chunk in chunks for x in chunk.latencies_us]
            wall = sum(chunk.wall_s for chunk in chunks)
            errors += sum(chunk.errors for chunk in chunks)
            for chunk in chunks:
                if chunk.first_error:
                    section.notes.append(f"{op} limit {limit} @{size}: {chunk.first_error}")
            rps = len(latencies) / wall if wall else float("nan")
            p50, p99 = percentile(latencies, 50) / 1000, percentile(latencies, 99) / 1000
            p99s.append(p99)
            figures.append(
                {
                    "operation": op,
                    "limit": limit,
                    "threads": size,
                    "requests": len(latencies),
                    "errors": sum(chunk.errors for chunk in chunks),
                    "rps": round(rps, 1),
                    "p50_ms": round(p50, 3),
                    "p99_ms": round(p99, 3),
                    "round_rps": [
                        round(len(c.latencies_us) / c.wall_s, 1) if c.wall_s else None
                        for c in chunks
                    ],
                    "round_p99_ms": [
                        round(percentile(c.latencies_us, 99) / 1000, 3) for c in chunks
                    ],
                }
            )
            row += [f"{rps:,.0f}", fmt_ms(p50), fmt_ms(p99)]
        growth = p99s[-1] / p99s[0] if p99s[0] else float("nan")
        row.append(f"{growth:.2f}x")
        section.rows.append(row)
        section.targets.append(
            Target(
                name=(
                    f"server {op} limit {limit}: p99 @{_label(sizes[-1])} / p99 @{_label(sizes[0])}"
                ),
                goal=(
                    f"p99 at {sizes[-1]:,} threads within {MAX_P99_GROWTH}x of p99 at {sizes[0]:,}"
                ),
                measured=round(growth, 3),
                limit=MAX_P99_GROWTH,
                unit="x",
            )
        )
    section.data["scenarios"] = figures
    section.data["concurrency"] = config.server_concurrency
    section.data["rounds"] = config.server_rounds
    section.data["errors"] = errors
    largest = section.data["servers"][-1]
    section.data["seed_largest"] = largest
    section.summary.append(
        f"time to seed {largest['threads']:,} threads: {largest['seed_threads_s']:.1f} s "
        f"(then {largest['items']:,} items: {largest['seed_items_s']:.1f} s); "
        f"server RSS {largest['max_rss_mb']:,.0f} MB"
    )
    if errors:
        section.notes.append(f"{errors} requests failed (non-200 or malformed)")
    rps_all = [f["rps"] for f in figures]
    section.data["median_rps"] = round(median(rps_all), 1)
    section.data["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    return section
