"""Response bodies for the client-overhead benchmark: realistic, and valid against the spec.

Three bodies, served byte for byte the same to every contender:

- retrieve: one thread;
- list: a page of 20 threads (every status, titled and untitled, several users);
- list_items: a page of 100 items cycling through all six item types, with every
  content, annotation and attachment variant and realistic text lengths (~27 KB,
  like the page measured in shared/research/openapi-python-client.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["ITEMS_THREAD_ID", "THREAD_ID", "Payloads", "build", "validate"]

THREAD_ID = "cthr_68f2a1c9e4b0"
ITEMS_THREAD_ID = "cthr_68f2a1c9e4b1"
_BASE_TIME = 1_760_000_000

_USERS = ["user_8f3a", "user_c2d1", "user_0b7e", "user_f19a", "user_5d62"]
_TITLES: list[str | None] = [
    "Onboarding workflow fails at step 3",
    "Refund for a duplicate charge",
    None,
    "Exporting monthly reports to CSV",
    "Rate limits on the batch endpoint",
    "Widget does not render on Safari 17",
    None,
    "Migrating from the v1 workflow API",
]
_STATUSES: list[dict[str, Any]] = [
    {"type": "active"},
    {"type": "active"},
    {"type": "locked", "reason": "Escalated to a human agent"},
    {"type": "closed", "reason": "Resolved by the customer"},
    {"type": "locked", "reason": None},
    {"type": "closed", "reason": None},
]
_QUESTIONS = [
    "Hi! Our onboarding workflow stops at step 3 with a timeout. It started after we "
    "deployed version 14 yesterday. Can you tell me what changed?",
    "The export to CSV only includes the first 1,000 rows. Is there a limit I can raise?",
    "Can you check why the widget shows a blank card for some users?",
    "Thanks, that worked. One more question: how do I rotate the API key for staging?",
]
_ANSWERS = [
    "The timeout comes from the export step: since version 14 it waits for the report "
    "to finish before moving on. The guide below shows how to raise the step limit from "
    "60 to 120 seconds, or to run the export in the background instead.",
    "Exports are paginated at 1,000 rows per file. Turn on 'Split large exports' in the "
    "workspace settings and you will get one file per 1,000 rows, zipped together.",
    "The card renders blank when the widget payload references an image the browser "
    "blocks. Serving the image from your own domain fixes it.",
    "Go to Settings, then API keys, create a new key for staging, update your "
    "deployment's secret, and revoke the old key once traffic has moved.",
]


def thread(n: int) -> dict[str, Any]:
    """The n-th thread of the benchmark data."""
    return {
        "id": THREAD_ID if n == 0 else f"cthr_68f2{n:08x}",
        "object": "chatkit.thread",
        "created_at": _BASE_TIME - 3600 * n,
        "title": _TITLES[n % len(_TITLES)],
        "status": dict(_STATUSES[n % len(_STATUSES)]),
        "user": _USERS[n % len(_USERS)],
    }


def _page(data: list[dict[str, Any]], *, has_more: bool) -> dict[str, Any]:
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }


def thread_list(count: int = 20) -> dict[str, Any]:
    """A page of `count` threads, newest first, with more to come."""
    return _page([thread(n) for n in range(count)], has_more=True)


def item(n: int, thread_id: str = ITEMS_THREAD_ID) -> dict[str, Any]:
    """The n-th item of a conversation; `n % 6` picks the item type."""
    kind = n % 6
    turn = n // 6
    base: dict[str, Any] = {
        "id": f"cthi_68f3{n:08x}",
        "object": "chatkit.thread_item",
        "created_at": _BASE_TIME + 7 * n,
        "thread_id": thread_id,
    }
    if kind == 0:
        content: list[dict[str, Any]] = [
            {"type": "input_text", "text": _QUESTIONS[turn % len(_QUESTIONS)]}
        ]
        if turn % 2:
            content.append({"type": "quoted_text", "text": "Error 42: step 'export' timed out"})
        attachments = [
            {
                "id": f"cfile_{n:06d}_{a}",
                "mime_type": "image/png" if a == 0 else "text/plain",
                "name": "screenshot.png" if a == 0 else "workflow.log",
                "preview_url": f"https://files.example.com/{n:06d}/screenshot.png"
                if a == 0 and turn % 3 != 1
                else None,
                "type": "image" if a == 0 else "file",
            }
            for a in range(turn % 3)
        ]
        options: dict[str, Any] | None = [
            None,
            {"model": None, "tool_choice": None},
            {"model": "gpt-4.1-mini", "tool_choice": {"id": "lookup_account"}},
        ][turn % 3]
        return base | {
            "type": "chatkit.user_message",
            "content": content,
            "attachments": attachments,
            "inference_options": options,
        }
    if kind == 1:
        annotations: list[dict[str, Any]] = [
            {"type": "file", "source": {"type": "file", "filename": "workflow-limits.pdf"}},
            {
                "type": "url",
                "source": {"type": "url", "url": "https://platform.example.com/docs/limits"},
            },
        ][: turn % 3]
        segments = [
            {
                "type": "output_text",
                "text": _ANSWERS[turn % len(_ANSWERS)],
                "annotations": annotations,
            }
        ]
        if turn % 2 == 0:
            segments.append(
                {"type": "output_text", "text": "Anything else I can check?", "annotations": []}
            )
        return base | {"type": "chatkit.assistant_message", "content": segments}
    if kind == 2:
        widget = {
            "type": "Card",
            "children": [
                {"type": "Title", "value": "Workflow settings updated"},
                {"type": "Text", "value": f"Step timeout raised to {60 + 30 * turn} s"},
                {"type": "Button", "label": "Undo", "action": {"type": "undo", "id": n}},
            ],
        }
        return base | {"type": "chatkit.widget", "widget": json.dumps(widget)}
    if kind == 3:
        done = turn % 2 == 0
        return base | {
            "type": "chatkit.client_tool_call",
            "name": "lookup_account",
            "call_id": f"call_{n:06d}",
            "arguments": json.dumps({"user": _USERS[turn % len(_USERS)], "include": ["plan"]}),
            "output": json.dumps({"plan": "team", "seats": 12 + turn}) if done else None,
            "status": "completed" if done else "in_progress",
        }
    if kind == 4:
        return base | {
            "type": "chatkit.task",
            "task_type": "thought" if turn % 2 == 0 else "custom",
            "heading": "Reading the workflow log" if turn % 3 else None,
            "summary": "Step 3 calls the export endpoint, which timed out twice."
            if turn % 2
            else None,
        }
    return base | {
        "type": "chatkit.task_group",
        "tasks": [
            {"type": "custom", "heading": "Raised the step timeout", "summary": "60 s -> 120 s"},
            {"type": "thought", "heading": "Checked the deploy history", "summary": None},
            {"type": "thought", "heading": None, "summary": None},
        ][: 1 + turn % 3],
    }


def item_list(count: int = 100) -> dict[str, Any]:
    """A page of `count` items of all six types, with more to come."""
    return _page([item(n) for n in range(count)], has_more=True)


def _encode(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Payloads:
    """The exact bytes served for each operation."""

    retrieve: bytes
    list: bytes
    list_items: bytes
    delete: bytes

    def sizes(self) -> dict[str, int]:
        return {
            "retrieve": len(self.retrieve),
            "list": len(self.list),
            "list_items": len(self.list_items),
        }


def build(threads: int = 20, items: int = 100) -> Payloads:
    deleted = {"id": THREAD_ID, "object": "chatkit.thread.deleted", "deleted": True}
    return Payloads(
        retrieve=_encode(thread(0)),
        list=_encode(thread_list(threads)),
        list_items=_encode(item_list(items)),
        delete=_encode(deleted),
    )


def validate(payloads: Payloads) -> list[str]:
    """Problems found validating the bodies against the spec (``[]``: none).

    Each body is judged by the one validator of bodies (``chatkit_threads_spec.validate``)
    against the success schema of the operation it answers.
    """
    from chatkit_threads_spec import load_spec
    from chatkit_threads_spec.validate import problems as body_problems

    spec = load_spec()
    problems: list[str] = []
    checks = [
        ("retrieve", "retrieveThread", payloads.retrieve),
        ("list", "listThreads", payloads.list),
        ("list_items", "listThreadItems", payloads.list_items),
        ("delete", "deleteThread", payloads.delete),
    ]
    for name, operation_id, body in checks:
        schema = spec.operation(operation_id).response_schema
        if schema is None:
            problems.append(f"{name}: {operation_id} has no JSON success body in the spec")
            continue
        for problem in body_problems(schema, json.loads(body), spec=spec):
            problems.append(f"{name}: at {problem.path}: {problem.message}")
    types = {entry["type"] for entry in json.loads(payloads.list_items)["data"]}
    if len(types) < 6 and len(json.loads(payloads.list_items)["data"]) >= 6:
        problems.append(f"list_items: only {len(types)} of the six item types")
    return problems
