"""Client overhead per call: this client vs the official `openai` SDK vs raw httpx.

All three talk to the same in-memory transport (bench.transport) serving the same bytes
(bench.payloads), so what differs is each client's own work: building the request,
going through httpx, decoding and parsing the body. Each call's result is used the
same way by every contender (every entry's `id` read), so lazy parsing gains nothing.

Timing: for each mode (sync, async) and operation, rounds interleave the contenders
(rotating who goes first); each round times one batch per contender, sized to take
about `overhead_batch_s`. Times are medians over rounds; ratios are medians of the
per-round ratios (each computed from batches run moments apart).
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import json
import pstats
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, cast

import httpx

from ._harness import Config, Section, Target, fmt_us, median
from .payloads import ITEMS_THREAD_ID, THREAD_ID, Payloads, build, validate
from .transport import FixedAsyncTransport, FixedTransport

__all__ = ["CONTENDERS", "OPS", "run"]

API_KEY = "sk-bench-0000000000000000"
BASE_URL = "http://bench.invalid/v1"
OPS = ("retrieve", "list", "list_items")
CONTENDERS = ("chatkit_threads", "openai", "httpx")
OURS, SDK, RAW = CONTENDERS
# Issue 8: this client at most 0.5x the official SDK's time per call, at most 2x raw httpx.
MAX_VS_SDK = 0.5
MAX_VS_RAW = 2.0
_EXPECTED = {"retrieve": 1, "list": 20, "list_items": 100}

SyncCall = Callable[[], int]
AsyncCall = Callable[[], Awaitable[int]]


def _count(entries: Iterable[Any]) -> int:
    """Read every entry's id (attribute for models), as a caller would."""
    n = 0
    for entry in entries:
        if entry.id:
            n += 1
    return n


def _count_raw(body: dict[str, Any]) -> int:
    n = 0
    for entry in body["data"]:
        if entry["id"]:
            n += 1
    return n


def _raw_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_KEY}", "OpenAI-Beta": "chatkit_beta=v1"}


# -- the contenders -------------------------------------------------------------------


def sync_contenders(payloads: Payloads) -> tuple[dict[str, dict[str, SyncCall]], dict[str, str]]:
    """Per contender, one call per operation; and the contenders that could not load."""
    calls: dict[str, dict[str, SyncCall]] = {}
    missing: dict[str, str] = {}
    try:
        from chatkit_threads import ChatKit

        ours = ChatKit(
            api_key=API_KEY,
            base_url=BASE_URL,
            http_client=httpx.Client(transport=FixedTransport(payloads)),
            max_retries=0,
        ).threads
        calls[OURS] = {
            "retrieve": lambda: 1 if ours.retrieve(THREAD_ID).id else 0,
            "list": lambda: _count(ours.list(limit=20).data),
            "list_items": lambda: _count(ours.list_items(ITEMS_THREAD_ID, limit=100).data),
        }
    except Exception as error:  # pragma: no cover - reported in the results
        missing[OURS] = f"{type(error).__name__}: {error}"
    try:
        from openai import OpenAI

        sdk = OpenAI(
            api_key=API_KEY,
            base_url=BASE_URL,
            # openai 3.x types this as an httpx2 client, and accepts an httpx one at runtime.
            http_client=cast(Any, httpx.Client(transport=FixedTransport(payloads))),
            max_retries=0,
        ).beta.chatkit.threads
        calls[SDK] = {
            "retrieve": lambda: 1 if sdk.retrieve(THREAD_ID).id else 0,
            "list": lambda: _count(sdk.list(limit=20).data),
            "list_items": lambda: _count(sdk.list_items(ITEMS_THREAD_ID, limit=100).data),
        }
    except Exception as error:  # pragma: no cover - reported in the results
        missing[SDK] = f"{type(error).__name__}: {error}"
    raw = httpx.Client(
        base_url=BASE_URL, headers=_raw_headers(), transport=FixedTransport(payloads)
    )

    def raw_retrieve() -> int:
        body = json.loads(raw.get(f"/chatkit/threads/{THREAD_ID}").content)
        return 1 if body["id"] else 0

    def raw_list() -> int:
        return _count_raw(json.loads(raw.get("/chatkit/threads", params={"limit": 20}).content))

    def raw_list_items() -> int:
        response = raw.get(f"/chatkit/threads/{ITEMS_THREAD_ID}/items", params={"limit": 100})
        return _count_raw(json.loads(response.content))

    calls[RAW] = {"retrieve": raw_retrieve, "list": raw_list, "list_items": raw_list_items}
    return calls, missing


def async_contenders(
    payloads: Payloads,
) -> tuple[dict[str, dict[str, AsyncCall]], dict[str, str]]:
    """Async counterparts of `sync_contenders` (build them inside a running loop)."""
    calls: dict[str, dict[str, AsyncCall]] = {}
    missing: dict[str, str] = {}
    try:
        from chatkit_threads import AsyncChatKit

        ours = AsyncChatKit(
            api_key=API_KEY,
            base_url=BASE_URL,
            http_client=httpx.AsyncClient(transport=FixedAsyncTransport(payloads)),
            max_retries=0,
        ).threads

        async def ours_retrieve() -> int:
            return 1 if (await ours.retrieve(THREAD_ID)).id else 0

        async def ours_list() -> int:
            return _count((await ours.list(limit=20)).data)

        async def ours_list_items() -> int:
            return _count((await ours.list_items(ITEMS_THREAD_ID, limit=100)).data)

        calls[OURS] = {"retrieve": ours_retrieve, "list": ours_list, "list_items": ours_list_items}
    except Exception as error:  # pragma: no cover - reported in the results
        missing[OURS] = f"{type(error).__name__}: {error}"
    try:
        from openai import AsyncOpenAI

        sdk = AsyncOpenAI(
            api_key=API_KEY,
            base_url=BASE_URL,
            http_client=cast(Any, httpx.AsyncClient(transport=FixedAsyncTransport(payloads))),
            max_retries=0,
        ).beta.chatkit.threads

        async def sdk_retrieve() -> int:
            return 1 if (await sdk.retrieve(THREAD_ID)).id else 0

        async def sdk_list() -> int:
            return _count((await sdk.list(limit=20)).data)

        async def sdk_list_items() -> int:
            return _count((await sdk.list_items(ITEMS_THREAD_ID, limit=100)).data)

        calls[SDK] = {"retrieve": sdk_retrieve, "list": sdk_list, "list_items": sdk_list_items}
    except Exception as error:  # pragma: no cover - reported in the results
        missing[SDK] = f"{type(error).__name__}: {error}"
    raw = httpx.AsyncClient(
        base_url=BASE_URL, headers=_raw_headers(), transport=FixedAsyncTransport(payloads)
    )

    async def raw_retrieve() -> int:
        body = json.loads((await raw.get(f"/chatkit/threads/{THREAD_ID}")).content)
        return 1 if body["id"] else 0

    async def raw_list() -> int:
        response = await raw.get("/chatkit/threads", params={"limit": 20})
        return _count_raw(json.loads(response.content))

    async def raw_list_items() -> int:
        response = await raw.get(f"/chatkit/threads/{ITEMS_THREAD_ID}/items", params={"limit": 100})
        return _count_raw(json.loads(response.content))

    calls[RAW] = {"retrieve": raw_retrieve, "list": raw_list, "list_items": raw_list_items}
    return calls, missing


# -- timing ---------------------------------------------------------------------------


def _time_sync(call: SyncCall, n: int) -> float:
    """Microseconds per call over a batch of n calls."""
    started = time.perf_counter_ns()
    for _ in range(n):
        call()
    return (time.perf_counter_ns() - started) / n / 1000


async def _time_async(call: AsyncCall, n: int) -> float:
    started = time.perf_counter_ns()
    for _ in range(n):
        await call()
    return (time.perf_counter_ns() - started) / n / 1000


def _freeze() -> None:
    """Collect, then move every object alive now out of the collector's sight.

    The garbage collector still runs during the batches, as in real use, but its full
    collections no longer walk the thousands of module-level objects three SDKs loaded,
    which would otherwise land in whichever contender's batch they happen to hit.
    """
    gc.collect()
    gc.freeze()


def _batch_size(per_call_us: float, batch_s: float) -> int:
    return max(1, round(batch_s * 1e6 / max(per_call_us, 0.1)))


def _check_result(name: str, op: str, got: int) -> None:
    if got != _EXPECTED[op]:
        raise AssertionError(f"{name} {op}: read {got} entries, expected {_EXPECTED[op]}")


def _measure_sync(
    calls: dict[str, dict[str, SyncCall]], config: Config
) -> dict[str, dict[str, list[float]]]:
    """Per operation, per contender: microseconds per call, one sample per round."""
    samples: dict[str, dict[str, list[float]]] = {}
    names = list(calls)
    for op in OPS:
        batches: dict[str, int] = {}
        for name in names:
            _check_result(name, op, calls[name][op]())
            _time_sync(calls[name][op], 20)  # warm up
            batches[name] = _batch_size(_time_sync(calls[name][op], 50), config.overhead_batch_s)
        samples[op] = {name: [] for name in names}
        _freeze()
        for round_ in range(config.overhead_rounds):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                samples[op][name].append(_time_sync(calls[name][op], batches[name]))
    return samples


async def _measure_async(
    payloads: Payloads, config: Config
) -> tuple[dict[str, dict[str, list[float]]], dict[str, str]]:
    calls, missing = async_contenders(payloads)
    samples: dict[str, dict[str, list[float]]] = {}
    names = list(calls)
    for op in OPS:
        batches: dict[str, int] = {}
        for name in names:
            _check_result(name, op, await calls[name][op]())
            await _time_async(calls[name][op], 20)
            per_call = await _time_async(calls[name][op], 50)
            batches[name] = _batch_size(per_call, config.overhead_batch_s)
        samples[op] = {name: [] for name in names}
        _freeze()
        for round_ in range(config.overhead_rounds):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                samples[op][name].append(await _time_async(calls[name][op], batches[name]))
    return samples, missing


def _ratio(samples: dict[str, list[float]], a: str, b: str) -> float:
    if a not in samples or b not in samples:
        return float("nan")
    return median([x / y for x, y in zip(samples[a], samples[b], strict=True)])


# -- profiling evidence ---------------------------------------------------------------


def profile_ours(payloads: Payloads, op: str = "list_items", calls: int = 300) -> dict[str, Any]:
    """cProfile of this client's sync `op`: the functions that take the time.

    Also times the parse step alone (models from the decoded dict) against `json.loads`,
    which says how much of a call is parsing and how much is the request path.
    """
    try:
        from chatkit_threads import ChatKit
        from chatkit_threads.types import ThreadItemListResource, ThreadListResource
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"}
    client = ChatKit(
        api_key=API_KEY,
        base_url=BASE_URL,
        http_client=httpx.Client(transport=FixedTransport(payloads)),
        max_retries=0,
    ).threads
    call: SyncCall = {
        "retrieve": lambda: 1 if client.retrieve(THREAD_ID).id else 0,
        "list": lambda: _count(client.list(limit=20).data),
        "list_items": lambda: _count(client.list_items(ITEMS_THREAD_ID, limit=100).data),
    }[op]
    _time_sync(call, 20)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    # pstats' table: {(file, line, function): (primitive calls, calls, tottime, cumtime, ...)}
    table: dict[tuple[str, int, str], tuple[int, int, float, float, Any]]
    table = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in table.values())
    rows: list[dict[str, Any]] = []
    for (filename, line, function), (_, ncalls, tottime, cumtime, _) in table.items():
        short = "/".join(filename.split("/")[-2:])
        rows.append(
            {
                "function": f"{short}:{line}({function})",
                "calls_per_op": round(ncalls / calls, 1),
                "self_us_per_op": round(tottime / calls * 1e6, 1),
                "self_share": round(tottime / total, 3) if total else 0.0,
                "cum_us_per_op": round(cumtime / calls * 1e6, 1),
            }
        )
    rows.sort(key=lambda row: -float(row["self_us_per_op"]))
    by_cum = sorted(rows, key=lambda row: -float(row["cum_us_per_op"]))
    body = payloads.list_items if op == "list_items" else payloads.list
    model = ThreadItemListResource if op == "list_items" else ThreadListResource
    decoded = json.loads(body)
    loads_us = min(_time_sync(lambda: len(json.loads(body)), 100) for _ in range(3))
    parse_us = min(_time_sync(lambda: 1 if model.from_dict(decoded) else 0, 100) for _ in range(3))
    return {
        "operation": op,
        "calls": calls,
        "top_self": rows[:15],
        "top_cumulative": by_cum[:15],
        "json_loads_us": round(loads_us, 1),
        "from_dict_us": round(parse_us, 1),
    }


# -- the benchmark --------------------------------------------------------------------


def run(config: Config) -> Section:
    payloads = build()
    problems = validate(payloads)
    section = Section(
        name="overhead",
        title=(
            "Client overhead per call: ours (chatkit_threads) vs the openai SDK vs raw httpx "
            "+ json.loads (in-memory transport, same bytes)"
        ),
        header=["mode", "operation", "ours", "openai SDK", "raw httpx", "ours/SDK", "ours/httpx"],
    )
    section.data["payload_bytes"] = payloads.sizes()
    section.data["payloads_valid"] = None if problems is None else not problems
    if problems:
        section.notes.append(f"payloads do not match the spec: {problems[:3]}")
    section.data["rounds"] = config.overhead_rounds
    section.data["batch_s"] = config.overhead_batch_s

    sync_calls, missing = sync_contenders(payloads)
    try:
        results = {"sync": _measure_sync(sync_calls, config)}
        async_samples, async_missing = asyncio.run(_measure_async(payloads, config))
    finally:
        gc.unfreeze()
    results["async"] = async_samples
    missing.update(async_missing)
    section.data["missing_contenders"] = missing
    for name, why in missing.items():
        section.notes.append(f"{name} could not be measured: {why}")

    figures: dict[str, Any] = {}
    for mode, per_op in results.items():
        figures[mode] = {}
        for op, samples in per_op.items():
            medians = {name: median(values) for name, values in samples.items()}
            vs_sdk = _ratio(samples, OURS, SDK)
            vs_raw = _ratio(samples, OURS, RAW)
            figures[mode][op] = {
                "median_us": {k: round(v, 2) for k, v in medians.items()},
                "min_us": {k: round(min(v), 2) for k, v in samples.items()},
                "ours_vs_sdk": round(vs_sdk, 3),
                "ours_vs_httpx": round(vs_raw, 3),
                "sdk_vs_httpx": round(_ratio(samples, SDK, RAW), 3),
                "samples_us": {k: [round(x, 2) for x in v] for k, v in samples.items()},
            }
            section.rows.append(
                [
                    mode,
                    op,
                    fmt_us(medians.get(OURS, float("nan"))),
                    fmt_us(medians.get(SDK, float("nan"))),
                    fmt_us(medians.get(RAW, float("nan"))),
                    f"{vs_sdk:.2f}x",
                    f"{vs_raw:.2f}x",
                ]
            )
            section.targets.append(
                Target(
                    name=f"overhead {mode} {op}: ours / openai SDK",
                    goal=f"<= {MAX_VS_SDK}x the official SDK's time per call",
                    measured=round(vs_sdk, 3),
                    limit=MAX_VS_SDK,
                    unit="x",
                )
            )
            section.targets.append(
                Target(
                    name=f"overhead {mode} {op}: ours / raw httpx",
                    goal=f"<= {MAX_VS_RAW}x raw httpx + json.loads per call",
                    measured=round(vs_raw, 3),
                    limit=MAX_VS_RAW,
                    unit="x",
                )
            )
    section.data["figures"] = figures
    if OURS not in missing:
        profiles = {
            op: profile_ours(payloads, op, calls=max(20, config.overhead_rounds * 20))
            for op in ("list_items", "retrieve")
        }
        section.data["profile"] = profiles
        items = profiles["list_items"]
        call_us = figures["sync"]["list_items"]["median_us"].get(OURS)
        if "error" not in items and call_us:
            loads, build_us = items["json_loads_us"], items["from_dict_us"]
            section.summary.append(
                f"where ours spends a sync list_items call ({call_us:,.0f} us, "
                f"{len(payloads.list_items) / 1024:.0f} KB page): json.loads ~{loads:,.0f} us, "
                f"building the models ~{build_us:,.0f} us, the rest in httpx request/response "
                "handling (cProfile in the JSON results)"
            )
    return section
