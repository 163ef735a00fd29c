"""Mock server throughput and latency at 10k and 1M threads, and against Prism.

Servers, each in its own process on 127.0.0.1: the mock (bench._serve: uvicorn,
in-memory SQLite) seeded with 10k and with 1M threads, and Prism (`prism mock -v warn`
on the same spec, when `npx` is there). The load generator is `wrk` (C, one thread,
the same keep-alive connections for every server) or, without it, bench.loadgen.

Scenarios: list threads and list a thread's items, limit 20 and 100, and `mix`, the
four in turn. List requests start from a cursor (`after=`) spread over the whole listing,
so the keyset lookup is exercised at every depth; item listings go to threads with 100
items each. Data: `size` threads, and 1% of them (at least 10) with 100 items, so the
items table grows with the threads table (1M threads: 1M items). Prism answers every
request from the spec's examples, whatever the ids.

Rounds interleave servers and scenarios (the order of servers reversed every other
round), so a burst of noise on the shared machine hits all of them. Per server and
scenario: req/s is all completed requests over all rounds' wall time; p50 and p99 are
the medians of the rounds' figures. Every sample path is requested once before the
measured rounds (discarded warm-up).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ._harness import Config, Section, Target, fmt_ms, median, request_headers
from ._serve import ServerProcess
from .wrk import (
    INSTALL_WRK,
    PRISM_PACKAGE,
    Load,
    PrismProcess,
    have_npx,
    have_wrk,
    run_python,
    run_wrk,
)

__all__ = ["SCENARIOS", "run"]

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "chatkit-threads.yaml"
SCENARIOS = (
    ("list", 20),
    ("list", 100),
    ("list_items", 20),
    ("list_items", 100),
)
MIX = ("mix", 0)
ITEMS_PER_THREAD = 100
# Issue 15: p99 at 1M threads within 1.2x of p99 at 10k; the mock >= 3x Prism's req/s.
MAX_P99_GROWTH = 1.2
MIN_VS_PRISM = 3.0


def _item_threads(size: int) -> int:
    return min(size, max(10, size // 100))


def _paths(info: dict[str, Any], op: str, limit: int, prefix: str) -> list[str]:
    if op == "mix":
        lists = [_paths(info, o, lim, prefix) for o, lim in SCENARIOS]
        return [path for group in zip(*lists, strict=False) for path in group]
    if op == "list":
        return [f"{prefix}/chatkit/threads?limit={limit}&after={t}" for t in info["thread_ids"]]
    return [f"{prefix}/chatkit/threads/{t}/items?limit={limit}" for t in info["item_thread_ids"]]


def _label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1_000 and size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


def _scenario(op: str, limit: int) -> str:
    return "mix of the four" if op == "mix" else f"{op} limit {limit}"


def _paired(a: list[Load], b: list[Load], figure: str) -> float:
    """Median over rounds of a's figure / b's figure in the same round."""
    ratios = [
        getattr(x, figure) / getattr(y, figure)
        for x, y in zip(a, b, strict=True)
        if getattr(y, figure)
    ]
    return median(ratios)


def run(config: Config) -> Section:
    sizes = config.server_sizes
    use_wrk = config.server_use_wrk and have_wrk()
    use_prism = config.server_prism and have_npx()
    replay = f"replay @{_label(sizes[0])}"
    floor = f"store floor @{_label(sizes[0])}"
    names = [f"mock @{_label(s)}" for s in sizes] + [replay, floor]
    names += ["prism"] if use_prism else []
    generator = (
        f"wrk -t1 -c{config.server_concurrency}, {config.server_duration_s} s per run"
        if use_wrk
        else f"bench.loadgen (Python), {config.server_concurrency} connections"
    )
    section = Section(
        name="server",
        title=f"Mock server over 127.0.0.1 ({generator}, {config.server_rounds} rounds)",
        header=[
            "scenario",
            *[f"{what} {name}" for name in names for what in ("rps", "p99")],
            f"p99 {_label(sizes[-1])}/{_label(sizes[0])}",
            *(["mock/prism rps"] if use_prism else []),
        ],
        about=(
            "Requests per second and p99 latency of the mock server (uvicorn, in-memory "
            f"SQLite) seeded with {', '.join(f'{s:,}' for s in sizes)} threads, each in its "
            f"own process, under {config.server_concurrency} keep-alive connections"
            + (
                ", and of Prism (`prism mock -v warn` on the same spec) under the same load. "
                if use_prism
                else ". "
            )
            + f"`{replay}`: the same uvicorn server answering each request with the bytes the "
            "mock sent for it before (kept in memory at warm-up), i.e. with no app work: the "
            "ceiling of any app on this server. "
            + f"`{floor}`: the same server and store, the list requests answered by the store's "
            "methods alone (`ThreadStore.list_threads`/`list_items`, `Page.to_json`) with none "
            "of the mock's request handling (no checks, no request ids, no middleware): the "
            "ceiling of any request handling around this store. "
            "List requests start at cursors spread over the whole listing; item listings "
            "go to threads with 100 items; `mix` rotates the four. req/s: all requests over "
            "all rounds' time; p99: median of the rounds' p99; ratios: medians of the "
            "per-round ratios (runs of one round are moments apart)."
        ),
    )
    if not use_wrk:
        section.notes.append(
            "wrk not found: the load generator is Python, sharing the cores with the server, "
            f"so req/s are lower than with wrk; install it with `{INSTALL_WRK}`"
            if config.server_use_wrk
            else "load from bench.loadgen (Python)"
        )
    if config.server_prism and not use_prism:
        section.notes.append(
            f"npx not found: no comparison with Prism (`npx {PRISM_PACKAGE} mock`); "
            "install Node.js to get it"
        )
    scenarios = [*SCENARIOS, MIX]

    def seeded(size: int, *, replay: bool = False, store_floor: bool = False) -> ServerProcess:
        return ServerProcess(
            size,
            _item_threads(size),
            ITEMS_PER_THREAD,
            samples=500,
            replay=replay,
            store_floor=store_floor,
        )

    # In the order of `names`: the mock at each size, then the replay and the store floor
    # of the smallest.
    servers = [seeded(size) for size in sizes] + [
        seeded(sizes[0], replay=True),
        seeded(sizes[0], store_floor=True),
    ]
    prism = PrismProcess(SPEC) if use_prism else None
    results: dict[tuple[str, str, int], list[Load]] = {
        (name, op, limit): [] for name in names for op, limit in scenarios
    }
    try:
        # Seed both at once (two cores); the seed time of each is measured in its process.
        for server in servers:
            server.start()
        infos = [server.wait_ready(timeout=900) for server in servers]
        if prism is not None:
            prism.__enter__()
        auth = request_headers(infos[0]["api_key"])
        # name -> (port, info, path prefix): Prism serves the spec's paths without /v1.
        targets: dict[str, tuple[int, dict[str, Any], str]] = {
            name: (info["port"], info, "/v1") for name, info in zip(names, infos, strict=False)
        }
        if prism is not None:
            targets["prism"] = (prism.port, infos[0], "")

        def load(name: str, op: str, limit: int, warm_up: bool = False) -> Load:
            port, info, prefix = targets[name]
            paths = _paths(info, op, limit, prefix)
            if use_wrk and not warm_up:
                return run_wrk(
                    port,
                    paths,
                    auth,
                    connections=config.server_concurrency,
                    duration_s=config.server_duration_s,
                )
            return run_python(
                port,
                paths,
                auth,
                connections=config.server_concurrency,
                requests=len(paths) if warm_up else config.server_requests,
                cap_s=config.server_chunk_cap_s,
            )

        for name in names:  # warm-up: every sample path once (discarded)
            for op, limit in SCENARIOS:
                load(name, op, limit, warm_up=True)
        for round_ in range(config.server_rounds):
            for op, limit in scenarios:
                order = names if round_ % 2 == 0 else names[::-1]
                for name in order:
                    results[name, op, limit].append(load(name, op, limit))
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
    finally:
        if prism is not None:
            prism.stop()
        for server in servers:
            server.stop()

    figures: list[dict[str, Any]] = []
    errors = 0
    for op, limit in scenarios:
        row = [_scenario(op, limit)]
        rps: dict[str, float] = {}
        p99: dict[str, float] = {}
        for name in names:
            runs = results[name, op, limit]
            requests = sum(r.requests for r in runs)
            wall = sum(r.wall_s for r in runs)
            errors += sum(r.errors for r in runs)
            for r in runs:
                if r.first_error:
                    section.notes.append(f"{name} {_scenario(op, limit)}: {r.first_error}")
                    break
            rps[name] = requests / wall if wall else float("nan")
            p50 = median([r.p50_ms for r in runs])
            p99[name] = median([r.p99_ms for r in runs])
            figures.append(
                {
                    "server": name,
                    "scenario": _scenario(op, limit),
                    "requests": requests,
                    "errors": sum(r.errors for r in runs),
                    "rps": round(rps[name], 1),
                    "p50_ms": round(p50, 3),
                    "p99_ms": round(p99[name], 3),
                    "round_rps": [round(r.rps, 1) for r in runs],
                    "round_p99_ms": [round(r.p99_ms, 3) for r in runs],
                }
            )
            row += [f"{rps[name]:,.0f}", fmt_ms(p99[name])]
        small, large = names[0], names[len(sizes) - 1]
        # Ratios pair the runs of one round (moments apart), then take the median.
        growth = _paired(results[large, op, limit], results[small, op, limit], "p99_ms")
        row.append(f"{growth:.2f}x")
        section.targets.append(
            Target(
                name=f"server {_scenario(op, limit)}: p99 {large} / p99 {small}",
                goal=f"p99 at {sizes[-1]:,} threads within {MAX_P99_GROWTH}x of {sizes[0]:,}",
                measured=round(growth, 3),
                limit=MAX_P99_GROWTH,
                unit="x",
            )
        )
        if use_prism:
            vs_prism = _paired(results[small, op, limit], results["prism", op, limit], "rps")
            row.append(f"{vs_prism:.2f}x")
            if op == "mix":
                section.targets.append(
                    Target(
                        name=f"server mix: req/s {small} / prism",
                        goal=f">= {MIN_VS_PRISM}x Prism's req/s on the same mix and connections",
                        measured=round(vs_prism, 3),
                        limit=MIN_VS_PRISM,
                        unit="x",
                        kind="min",
                    )
                )
        section.rows.append(row)
    section.data["scenarios"] = figures
    section.data["load_generator"] = "wrk" if use_wrk else "bench.loadgen"
    section.data["concurrency"] = config.server_concurrency
    section.data["rounds"] = config.server_rounds
    section.data["errors"] = errors
    largest = section.data["servers"][len(sizes) - 1]
    section.data["seed_largest"] = largest
    section.summary.append(
        f"time to seed {largest['threads']:,} threads: {largest['seed_threads_s']:.1f} s "
        f"(then {largest['items']:,} items: {largest['seed_items_s']:.1f} s); "
        f"server RSS {largest['max_rss_mb']:,.0f} MB"
    )
    if use_prism:
        section.summary.append(
            "Prism serves the spec's examples (no data, no cursors): it does less work per "
            "request than the mock, so the ratio is a floor"
        )
        mix = {f["server"]: f["rps"] for f in figures if f["scenario"] == _scenario(*MIX)}
        small = names[0]
        if all(mix.get(name) for name in (small, replay, "prism")):
            app_us = 1e6 / mix[small] - 1e6 / mix[replay]
            budget_us = 1e6 / (MIN_VS_PRISM * mix["prism"]) - 1e6 / mix[replay]
            section.data["mix_app_us"] = round(app_us, 1)
            section.data["mix_app_budget_us"] = round(budget_us, 1)
            section.summary.append(
                f"mix: the server alone ({replay}) does {mix[replay]:,.0f} req/s, "
                f"{mix[replay] / mix['prism']:.1f}x Prism; the mock's own work adds "
                f"{app_us:.0f} us a request (1/req/s of {small} minus 1/req/s of {replay}). "
                f"{MIN_VS_PRISM:g}x Prism on this server needs it under {budget_us:.0f} us"
            )
        if all(mix.get(name) for name in (small, floor, "prism")):
            handling_us = 1e6 / mix[small] - 1e6 / mix[floor]
            floor_vs_prism = _paired(results[(floor, *MIX)], results[("prism", *MIX)], "rps")
            section.data["mix_store_floor_vs_prism"] = round(floor_vs_prism, 3)
            section.data["mix_handling_us"] = round(handling_us, 1)
            section.summary.append(
                f"mix: the store with no request handling around it ({floor}) does "
                f"{mix[floor]:,.0f} req/s, {floor_vs_prism:.2f}x Prism (median of the rounds' "
                f"ratios); the mock's request handling (checks, ids, middleware) adds "
                f"{handling_us:.0f} us a request (1/req/s of {small} minus 1/req/s of {floor})"
            )
    if errors:
        section.notes.append(f"{errors} requests failed (non-2xx or socket errors)")
    section.data["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    return section
