"""Seed data: a small deterministic set that covers the whole API, and large synthetic sets.

The default set gives every project a dozen threads: each thread status (with and
without a reason), titled and untitled threads, three users, and conversations that
use every item type, content type, annotation and attachment kind.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from .page import dumps, sort_key
from .store import ThreadStore, project_for_key

__all__ = [
    "BASE_TIME",
    "MAX_SYNTHETIC_ROWS",
    "apply_seed",
    "default_threads",
    "parse_seed",
    "seed_default",
    "seed_synthetic",
    "synthetic_rows",
]

MAX_SYNTHETIC_ROWS = 100_000_000
"""The most rows a synthetic seed generates (a typo of a few digits must not run for days)."""

BASE_TIME = 1_730_000_000
"""created_at of the oldest seeded thread (2024-10-27)."""

_STATUSES: list[dict[str, Any]] = [
    {"type": "active"},
    {"type": "locked", "reason": "Escalated to a human agent"},
    {"type": "closed", "reason": "Resolved by the customer"},
    {"type": "locked", "reason": None},
    {"type": "closed", "reason": None},
]
_USERS = ["user_alice", "user_bob", "user_carol"]
_TOPICS = [
    "Onboarding workflow fails at step 3",
    "Refund for a duplicate charge",
    "Exporting reports to CSV",
    None,
    "Rate limits on the batch endpoint",
    "Widget does not render on Safari",
    None,
    "Migrating from the v1 workflow API",
    "Invoice address change",
    "Slow responses in the EU region",
    None,
    "Demo feedback",
]


def _conversation(thread_id: str, topic: str, start: int, variant: int) -> list[dict[str, Any]]:
    """Items of one thread: every type, with the optional parts varied by `variant`."""
    base = {"object": "chatkit.thread_item", "thread_id": thread_id}
    subject = topic or "my account"
    with_preview = variant % 2 == 0
    items: list[dict[str, Any]] = [
        {
            **base,
            "type": "chatkit.user_message",
            "content": [
                {"type": "input_text", "text": f"Hi, I need help with {subject.lower()}."},
                {"type": "quoted_text", "text": "Error 42: workflow step timed out"},
            ],
            "attachments": [
                {
                    "id": f"cfile_{thread_id[5:]}_img",
                    "mime_type": "image/png",
                    "name": "screenshot.png",
                    "preview_url": (
                        f"https://files.example.com/{thread_id}/screenshot.png"
                        if with_preview
                        else None
                    ),
                    "type": "image",
                },
                {
                    "id": f"cfile_{thread_id[5:]}_log",
                    "mime_type": "text/plain",
                    "name": "workflow.log",
                    "preview_url": None,
                    "type": "file",
                },
            ],
            "inference_options": (
                None
                if variant % 3 == 0
                else {
                    "model": None if variant % 3 == 1 else "gpt-4.1-mini",
                    "tool_choice": None if variant % 3 == 1 else {"id": "lookup_account"},
                }
            ),
        },
        {
            **base,
            "type": "chatkit.task",
            "task_type": "thought",
            "heading": "Reading the workflow log",
            "summary": None if variant % 2 else "Step 3 calls an endpoint that timed out.",
        },
        {
            **base,
            "type": "chatkit.client_tool_call",
            "name": "lookup_account",
            "call_id": f"call_{thread_id[5:]}_1",
            "arguments": json.dumps({"user": _USERS[variant % 3], "include": ["plan"]}),
            "output": json.dumps({"plan": "team", "seats": 12}),
            "status": "completed",
        },
        {
            **base,
            "type": "chatkit.assistant_message",
            "content": [
                {
                    "type": "output_text",
                    "text": (
                        "Thanks for the details. The timeout comes from the export step; "
                        "the guide below shows how to raise its limit."
                    ),
                    "annotations": [
                        {
                            "type": "file",
                            "source": {"type": "file", "filename": "workflow-limits.pdf"},
                        },
                        {
                            "type": "url",
                            "source": {
                                "type": "url",
                                "url": "https://platform.example.com/docs/workflows#limits",
                            },
                        },
                    ],
                },
                {"type": "output_text", "text": "Anything else I can check?", "annotations": []},
            ],
        },
        {
            **base,
            "type": "chatkit.widget",
            "widget": json.dumps(
                {"type": "Card", "children": [{"type": "Text", "value": "Limit raised to 120 s"}]}
            ),
        },
        {
            **base,
            "type": "chatkit.task_group",
            "tasks": [
                {
                    "type": "custom",
                    "heading": "Raised the step timeout",
                    "summary": "60 s -> 120 s",
                },
                {"type": "thought", "heading": None, "summary": None},
            ],
        },
        {
            **base,
            "type": "chatkit.client_tool_call",
            "name": "rerun_workflow",
            "call_id": f"call_{thread_id[5:]}_2",
            "arguments": json.dumps({"workflow": "onboarding"}),
            "output": None,
            "status": "in_progress",
        },
        {
            **base,
            "type": "chatkit.task",
            "task_type": "custom",
            "heading": None,
            "summary": None,
        },
    ]
    for number, item in enumerate(items):
        item["id"] = f"cthi_{thread_id[5:]}_{number:02d}"
        item["created_at"] = start + 5 * (number + 1)
    return items


def default_threads(project: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The default threads and items of a project (deterministic)."""
    tag = project[5:13]
    threads: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for number, topic in enumerate(_TOPICS):
        thread_id = f"cthr_{tag}{number:04d}"
        # Two threads share each timestamp, so ordering ties (broken by id) are exercised.
        created_at = BASE_TIME + 3600 * (number // 2)
        threads.append(
            {
                "id": thread_id,
                "object": "chatkit.thread",
                "created_at": created_at,
                "title": topic,
                "status": dict(_STATUSES[number % len(_STATUSES)]),
                "user": _USERS[number % len(_USERS)],
            }
        )
        items += _conversation(thread_id, topic or "", created_at, number)
    return threads, items


def seed_default(store: ThreadStore, api_key: str) -> None:
    """Give the key's project the default set, once per database."""
    project = project_for_key(api_key)
    threads, items = _default_rows(project)
    store.add_rows(threads, items, project=project, seed="default")


@functools.lru_cache(maxsize=64)
def _default_rows(
    project: str,
) -> tuple[tuple[tuple[str, str, int, str, str], ...], tuple[tuple[str, str, int, str], ...]]:
    # Serialised once per project: `POST /__admin/reset` re-seeds before every test of a
    # suite, and building the bodies was most of its time.
    threads, items = default_threads(project)
    return (
        tuple((t["id"], project, sort_key(t), t["user"], dumps(t)) for t in threads),
        tuple((i["id"], i["thread_id"], sort_key(i), dumps(i)) for i in items),
    )


def synthetic_rows(
    project: str, threads: int, items_per_thread: int = 0
) -> tuple[Iterator[tuple[str, str, int, str, str]], Iterator[tuple[str, str, int, str]]]:
    """Row generators for `threads` threads with `items_per_thread` items each.

    Creation times come in ties (two threads, three items per second), so pagination
    over them depends on the id tie-break as real data does. Bodies are built by
    formatting templates rather than `json.dumps` per row, which is what makes a million
    threads load in seconds.
    """
    tag = project[5:13]
    users = [f"user_{n:03d}" for n in range(100)]

    def thread_rows() -> Iterator[tuple[str, str, int, str, str]]:
        for n in range(threads):
            thread_id = f"cthr_s{tag}{n:08d}"
            created_at = _synthetic_thread_time(n)
            user = users[n % len(users)]
            status = _STATUS_JSON[n % len(_STATUS_JSON)]
            body = (
                f'{{"id":"{thread_id}","object":"chatkit.thread","created_at":{created_at},'
                f'"title":"Synthetic thread {n}","status":{status},"user":"{user}"}}'
            )
            yield thread_id, project, created_at, user, body

    def item_rows() -> Iterator[tuple[str, str, int, str]]:
        for n in range(threads):
            thread_id = f"cthr_s{tag}{n:08d}"
            start = _synthetic_thread_time(n)
            for m in range(items_per_thread):
                item_id = f"cthi_s{tag}{n:08d}_{m:07d}"
                # Three items per second: ties that only the id can order.
                created_at = start + m // 3
                template = _ITEM_TEMPLATES[m % len(_ITEM_TEMPLATES)]
                body = template.format(id=item_id, thread_id=thread_id, created_at=created_at, n=m)
                yield item_id, thread_id, created_at, body

    return thread_rows(), item_rows()


def _synthetic_thread_time(n: int) -> int:
    # Two threads per second, so listings have ties that only the id can order.
    return BASE_TIME + n // 2


def seed_synthetic(
    store: ThreadStore, api_key: str, threads: int, items_per_thread: int = 0
) -> None:
    """Add a large synthetic set to the key's project, once per database."""
    project = project_for_key(api_key)
    rows = synthetic_rows(project, threads, items_per_thread)
    store.add_rows(*rows, project=project, seed=f"synthetic:{threads}:{items_per_thread}")


_STATUS_JSON = [json.dumps(s, separators=(",", ":")) for s in _STATUSES]


def _item_templates() -> list[str]:
    """One `str.format` template per item type, made from the default conversation."""
    templates = []
    for item in _conversation("cthr_TEMPLATE", "synthetic load", 0, 1)[:6]:
        item = dict(item, id="@ID@", thread_id="@THREAD@", created_at=-4242)
        text = json.dumps(item, separators=(",", ":"))
        text = text.replace("{", "{{").replace("}", "}}")
        text = text.replace('"@ID@"', '"{id}"').replace('"@THREAD@"', '"{thread_id}"')
        templates.append(text.replace("-4242", "{created_at}"))
    return templates


_ITEM_TEMPLATES = _item_templates()


def parse_seed(seed: str) -> list[tuple[str, int, int]]:
    """The parts of a seed spec: `(kind, threads, items_per_thread)` each, checked.

    ValueError naming the spec when a part is not `default`, `none` or
    `synthetic:THREADS[:ITEMS]`.
    """
    parts: list[tuple[str, int, int]] = []
    for part in seed.split(","):
        kind, _, size = part.strip().partition(":")
        if kind in ("none", "default") and not size:
            parts.append((kind, 0, 0))
            continue
        if kind != "synthetic":
            raise ValueError(f"seed {seed!r}: expected default, none, or synthetic:THREADS[:ITEMS]")
        counts = size.split(":")
        usage = f"seed {seed!r}: expected synthetic:THREADS or synthetic:THREADS:ITEMS_PER_THREAD"
        if not 1 <= len(counts) <= 2 or not all(c.isdigit() and len(c) < 19 for c in counts):
            raise ValueError(usage)
        threads, items = int(counts[0]), int(counts[1]) if len(counts) == 2 else 0
        if threads * max(items, 1) > MAX_SYNTHETIC_ROWS:
            raise ValueError(
                f"seed {seed!r}: at most {MAX_SYNTHETIC_ROWS:,} generated rows "
                "(threads, or threads times items per thread)"
            )
        parts.append((kind, threads, items))
    return parts


def apply_seed(
    store: ThreadStore, seed: str, api_keys: Sequence[str], *, synthetic: bool = True
) -> None:
    """Apply a seed spec: `default` (every key), `none`, or `synthetic:THREADS[:ITEMS]`.

    Several specs joined by commas apply in turn (`default,synthetic:1000`: the
    default set for every key, and 1,000 more threads for the first). Synthetic sets go
    to the first key's project (none with `synthetic=False`). Seeding is idempotent, so
    a file database keeps its data across restarts and is not seeded twice. The whole
    spec is checked before anything is stored.
    """
    for kind, threads, items in parse_seed(seed):
        if kind == "default":
            for key in api_keys:
                seed_default(store, key)
        elif kind == "synthetic" and synthetic:
            try:
                seed_synthetic(store, api_keys[0], threads, items)
            except sqlite3.IntegrityError:
                # Synthetic ids are the same in every set, so two sizes cannot share a file.
                raise ValueError(
                    f"seed {seed!r}: the database already holds a different synthetic set; "
                    "use a new --db file, or --seed none to serve the data it has"
                ) from None
