"""Export files: JSON lines of a thread followed by its items, and reading them back.

Each exported thread is a block of lines: the thread object as the API returned it,
then each of its items, oldest first. That is also the mock server's fixture format,
so an export can be served again with ``chatkit-threads mock serve --fixtures FILE``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from chatkit_threads import ThreadItemListResource, ThreadResource

from .jsontext import dump_line

__all__ = ["BlockScan", "dump_line", "parse_item", "parse_thread", "scan_block", "to_models"]


def parse_thread(record: dict[str, Any]) -> ThreadResource:
    """A thread model from its exported JSON (lenient, like the client)."""
    return ThreadResource.from_dict(record)


def parse_item(record: dict[str, Any]) -> object:
    """An item model from its exported JSON, dispatched on ``type`` like a listing."""
    # The listing's model dispatches an item on its type; only its entries are needed
    # (lenient parsing leaves the envelope's other fields unset).
    page = ThreadItemListResource.from_dict({"data": [record]})
    return page.data[0]


@dataclass
class BlockScan:
    """What a (possibly interrupted) block of lines holds."""

    valid_bytes: int
    """Length of the complete lines at the start; anything after is a torn write."""
    thread_id: str | None
    """The id on the first line, ``None`` when there is no complete first line."""
    items: int
    """How many complete item lines follow the thread line."""
    last_item_id: str | None
    """The id of the last complete item (the cursor to resume from)."""


def scan_block(data: bytes) -> BlockScan:
    """Scan a thread block; a last line cut short (no newline or bad JSON) is not counted."""
    valid = 0
    thread_id: str | None = None
    items = 0
    last_item_id: str | None = None
    for line in data.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            break
        try:
            record = json.loads(line)
        except ValueError:
            break
        if not isinstance(record, dict):
            break
        if thread_id is None:
            ident = record.get("id")
            if not isinstance(ident, str):
                break
            thread_id = ident
        else:
            ident = record.get("id")
            if not isinstance(ident, str):
                break
            items += 1
            last_item_id = ident
        valid += len(line)
    return BlockScan(valid, thread_id, items, last_item_id)


def to_models(lines: Iterable[bytes]) -> tuple[ThreadResource, Iterator[object]]:
    """The thread model and a lazy iterator of item models from a block's lines."""
    iterator = iter(lines)
    thread = parse_thread(json.loads(next(iterator)))

    def items() -> Iterator[object]:
        for line in iterator:
            if line.strip():
                yield parse_item(json.loads(line))

    return thread, items()
