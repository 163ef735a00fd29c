"""What each thread item says, independent of how it is drawn.

``describe_item`` turns any item model (the six known types, drifting variants of them,
and ``UnknownThreadItem``) into an ``ItemView``: a header and a list of blocks. The
terminal renderer (``render``) and the Markdown transcript (``markdown``) both draw
these views, so the two never disagree about what an item contains.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from chatkit_threads import (
    AssistantMessageItem,
    ClientToolCallItem,
    FileAnnotation,
    InputTextContent,
    QuotedTextContent,
    ResponseOutputText,
    TaskGroupItem,
    TaskItem,
    UnknownAnnotation,
    UnknownContent,
    UnknownThreadItem,
    UrlAnnotation,
    UserMessageItem,
    WidgetItem,
)

from .values import field as get
from .values import pretty_json, text

__all__ = ["Block", "BlockKind", "ItemView", "describe_item"]

BlockKind = Literal["text", "quote", "heading", "json", "list", "note"]


@dataclass
class Block:
    """One part of an item: prose, a quote, a heading, JSON, a bulleted list or a note."""

    kind: BlockKind
    content: str | list[str]
    label: str | None = None


@dataclass
class ItemView:
    """A thread item ready to draw: ``role`` (user, assistant, tool, widget, task,
    unknown) picks the colour, ``title`` is the header line."""

    role: str
    title: str
    id: str | None
    created_at: object
    blocks: list[Block] = field(default_factory=list)


def _items_of(value: object) -> list[object]:
    # Lenient parsing may leave a list field missing or of another shape.
    return list(value) if isinstance(value, list) else []


def _raw_json(raw: object) -> str:
    return json.dumps(raw, indent=2, ensure_ascii=False, default=str)


def _as_json(model: object) -> object:
    """A model's JSON as the API sent it (``to_dict`` round-trips it exactly)."""
    to_dict = getattr(model, "to_dict", None)
    return to_dict() if callable(to_dict) else model


def _other_content(content: object) -> Block:
    # A variant the spec gained after this view was written: shown as raw JSON, like an
    # unknown one, so a regenerated client never hides content here.
    kind = get(content, "type_")
    return Block("json", _raw_json(_as_json(content)), label=f"content type {kind!r}")


def _unknown_content(content: UnknownContent) -> Block:
    return Block("json", _raw_json(content.raw), label=f"unknown content type {content.type_!r}")


def _user_message(item: UserMessageItem, view: ItemView) -> None:
    for content in _items_of(get(item, "content")):
        if isinstance(content, InputTextContent):
            view.blocks.append(Block("text", text(get(content, "text")) or ""))
        elif isinstance(content, QuotedTextContent):
            view.blocks.append(Block("quote", text(get(content, "text")) or ""))
        elif isinstance(content, UnknownContent):
            view.blocks.append(_unknown_content(content))
        else:
            view.blocks.append(_other_content(content))
    attachments = []
    for attachment in _items_of(get(item, "attachments")):
        name = text(get(attachment, "name")) or "(unnamed)"
        kind = text(get(attachment, "type_")) or "file"
        mime = text(get(attachment, "mime_type"))
        line = f"{name} ({kind}{', ' + mime if mime else ''})"
        preview = text(get(attachment, "preview_url"))
        if preview:
            line += f" preview: {preview}"
        ident = text(get(attachment, "id"))
        if ident:
            line += f" [{ident}]"
        attachments.append(line)
    if attachments:
        view.blocks.append(Block("list", attachments, label="attachments"))
    options = get(item, "inference_options")
    if options is not None:
        model = text(get(options, "model"))
        tool = text(get(get(options, "tool_choice"), "id"))
        parts = [f"model: {model}" if model else "", f"tool choice: {tool}" if tool else ""]
        if any(parts):
            view.blocks.append(Block("note", ", ".join(p for p in parts if p)))


def _annotation_line(annotation: object) -> str:
    if isinstance(annotation, FileAnnotation):
        return f"file: {text(get(get(annotation, 'source'), 'filename')) or '?'}"
    if isinstance(annotation, UrlAnnotation):
        return f"url: {text(get(get(annotation, 'source'), 'url')) or '?'}"
    if isinstance(annotation, UnknownAnnotation):
        return f"{annotation.type_!r} (unknown annotation): {json.dumps(annotation.raw)}"
    return f"{get(annotation, 'type_')!r}: {json.dumps(_as_json(annotation), default=str)}"


def _assistant_message(item: AssistantMessageItem, view: ItemView) -> None:
    for content in _items_of(get(item, "content")):
        if isinstance(content, ResponseOutputText):
            view.blocks.append(Block("text", text(get(content, "text")) or ""))
            notes = [_annotation_line(a) for a in _items_of(get(content, "annotations"))]
            if notes:
                numbered = [f"[{n}] {line}" for n, line in enumerate(notes, start=1)]
                view.blocks.append(Block("list", numbered, label="annotations"))
        elif isinstance(content, UnknownContent):
            view.blocks.append(_unknown_content(content))
        else:
            view.blocks.append(_other_content(content))


def _tool_call(item: ClientToolCallItem, view: ItemView) -> None:
    name = text(get(item, "name")) or "?"
    status = text(get(item, "status")) or "?"
    view.title = f"tool call {name} ({status})"
    call_id = text(get(item, "call_id"))
    if call_id:
        view.blocks.append(Block("note", f"call id: {call_id}"))
    arguments = get(item, "arguments")
    view.blocks.append(
        Block("json", pretty_json(arguments if arguments is not None else ""), "arguments")
    )
    output = get(item, "output")
    if output is None:
        view.blocks.append(Block("note", "no output yet"))
    else:
        view.blocks.append(Block("json", pretty_json(output), label="output"))


def _task_line(task: object) -> str:
    kind = text(get(task, "type_")) or "task"
    heading = text(get(task, "heading"))
    summary = text(get(task, "summary"))
    words = " - ".join(part for part in (heading, summary) if part)
    return f"[{kind}] {words}" if words else f"[{kind}]"


def describe_item(item: object) -> ItemView:
    """The ``ItemView`` of any thread item model (never raises on drifting payloads)."""
    view = ItemView(
        role="unknown",
        title="item",
        id=text(get(item, "id")),
        created_at=get(item, "created_at"),
    )
    if isinstance(item, UserMessageItem):
        view.role, view.title = "user", "user"
        _user_message(item, view)
    elif isinstance(item, AssistantMessageItem):
        view.role, view.title = "assistant", "assistant"
        _assistant_message(item, view)
    elif isinstance(item, WidgetItem):
        view.role, view.title = "widget", "widget"
        view.blocks.append(Block("json", pretty_json(get(item, "widget") or "")))
    elif isinstance(item, ClientToolCallItem):
        view.role = "tool"
        _tool_call(item, view)
    elif isinstance(item, TaskItem):
        view.role = "task"
        view.title = f"task ({text(get(item, 'task_type')) or '?'})"
        heading, summary = text(get(item, "heading")), text(get(item, "summary"))
        if heading:
            view.blocks.append(Block("heading", heading))
        if summary:
            view.blocks.append(Block("text", summary))
    elif isinstance(item, TaskGroupItem):
        view.role, view.title = "task", "task group"
        tasks = [_task_line(task) for task in _items_of(get(item, "tasks"))]
        view.blocks.append(Block("list", tasks or ["(no tasks)"], label="tasks"))
    elif isinstance(item, UnknownThreadItem):
        view.title = f"unknown item type {item.type_!r}"
        view.blocks.append(Block("json", _raw_json(item.raw)))
    else:
        # A variant the spec gained after this view was written: its JSON, as for an
        # unknown type.
        view.title = f"item type {get(item, 'type_')!r}"
        view.blocks.append(Block("json", _raw_json(_as_json(item))))
    return view
