"""Markdown transcripts of a thread: a header with the thread's fields, then each item."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .items import Block, describe_item
from .values import field, format_time, status_text, text

__all__ = ["transcript"]


def _fence(body: str, language: str = "") -> list[str]:
    # A fence longer than any run of backticks in the body, so the body cannot close it.
    longest = 0
    run = 0
    for char in body:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return [fence + language, body, fence]


def _block(block: Block) -> list[str]:
    lines = block.content if isinstance(block.content, list) else [block.content]
    out: list[str] = [f"*{block.label}:*", ""] if block.label else []
    if block.kind == "text":
        out += ["\n".join(lines)]
    elif block.kind == "quote":
        out += ["> " + line if line else ">" for line in "\n".join(lines).splitlines() or [""]]
    elif block.kind == "heading":
        out += [f"**{' '.join(lines)}**"]
    elif block.kind == "json":
        out += _fence("\n".join(lines), "json")
    elif block.kind == "list":
        out += [f"- {line}" for line in lines]
    else:
        out += [f"_{' '.join(lines)}_"]
    return [*out, ""]


def transcript(thread: object, items: Iterable[object]) -> Iterator[str]:
    """Lines of a Markdown transcript of ``thread`` and its ``items`` (in the order given)."""
    title = text(field(thread, "title")) or "(untitled)"
    yield f"# {title}"
    yield ""
    yield f"- id: `{text(field(thread, 'id')) or '?'}`"
    yield f"- user: `{text(field(thread, 'user')) or '?'}`"
    yield f"- status: {status_text(field(thread, 'status'))}"
    yield f"- created: {format_time(field(thread, 'created_at'))}"
    yield ""
    for item in items:
        view = describe_item(item)
        ident = f" `{view.id}`" if view.id else ""
        yield f"## {view.title} - {format_time(view.created_at, seconds=True)}{ident}"
        yield ""
        for block in view.blocks:
            yield from _block(block)
