"""What an export writes on disk: file names for threads, whole-file writes, a thread's
items, and the manifest that says which files the export owns.

An export never truncates, replaces or moves a file it did not write. What it wrote is
known from its manifest: a directory export owns ``DIR/manifest.jsonl`` and the files
it lists (plus the ``.part`` files it names itself); a single-file export owns
``FILE.jsonl`` only while ``FILE.manifest.jsonl`` describes it exactly. Anything else
there is the user's, and the export refuses to start (``ExportConflict``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from chatkit_threads import ChatKit

from .errors import UsageProblem
from .jsontext import dump_line, dumps
from .limits import OLDEST_FIRST
from .markdown import transcript
from .pool import Cancelled
from .records import to_models
from .terminal import safe

__all__ = [
    "ExportConflict",
    "Manifest",
    "file_stem",
    "write_atomically",
    "write_items",
    "write_markdown",
]

# A file name keeps this much of the id, readable, and always adds a hash of the whole
# id: bounded (far below any file system's 255) and distinct for distinct ids, even on
# a file system that folds case or where the id has separators or other scripts.
_SLUG_CHARS = 48
_HASH_CHARS = 16
_NOT_SLUG = re.compile(r"[^A-Za-z0-9_]+")


class ExportConflict(UsageProblem):
    """The export would have to overwrite or move a file it did not write."""


def file_stem(thread_id: str) -> str:
    """A file name (without suffix) for a thread id: a readable slug of at most 48
    characters, then 16 hex digits of the id's SHA-256. It cannot escape the directory,
    clash with ``manifest.jsonl`` or with another id, whatever the id."""
    digest = hashlib.sha256(thread_id.encode("utf-8", "surrogatepass")).hexdigest()
    slug = _NOT_SLUG.sub("_", thread_id)[:_SLUG_CHARS].strip("_")
    return f"{slug}-{digest[:_HASH_CHARS]}" if slug else digest[:_HASH_CHARS]


def write_atomically(path: Path, lines: Iterable[str]) -> None:
    """Write ``path`` whole (through ``path.part``, renamed when complete)."""
    temporary = path.with_name(path.name + ".part")
    with temporary.open("w", encoding="utf-8", errors="replace") as handle:
        for line in lines:
            handle.write(line + "\n")
    os.replace(temporary, path)


def write_markdown(path: Path, block: Iterable[bytes]) -> None:
    """A thread's Markdown transcript from its block of lines (readable text only: no
    control characters, which a reader's terminal would act on)."""
    thread, items = to_models(block)
    write_atomically(path, (safe(line) for line in transcript(thread, items)))


def write_items(
    client: ChatKit,
    handle: IO[bytes],
    thread_id: str,
    after: str | None,
    page_size: int,
    stopping: Callable[[], bool] = lambda: False,
) -> int:
    """Append every item after ``after`` (oldest first); flush after each page so that an
    interruption loses at most the page in flight. Returns the number written. Raises
    ``Cancelled`` between pages once ``stopping()`` says the run is over."""
    written = 0
    first = client.threads.list_items(thread_id, order=OLDEST_FIRST, limit=page_size, after=after)
    for page in first.iter_pages():
        for item in page.data:
            handle.write(dump_line(item.to_dict()))
            written += 1
        handle.flush()
        if stopping() and page.has_more:
            raise Cancelled
    return written


Span = tuple[Any, Any, Any, Any]
"""What the manifest keeps in memory of an entry: ``start``, ``end``, ``items``, ``file``."""


def _span(entry: dict[str, Any]) -> Span:
    return entry.get("start"), entry.get("end"), entry.get("items"), entry.get("file")


class Manifest:
    """An append-only JSONL index of finished threads (one line each). In memory only
    the id and a small tuple per thread, so that a large account stays cheap.

    ``Manifest(path)`` reads an existing manifest and refuses a file that is not one (its
    first line must be an entry with an ``id``): an export never takes over a file of the
    user's. A line torn by an interruption (the last one) is cut off before appending.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, Span] = {}
        if not path.exists():
            return
        data = path.read_bytes()
        lines = data.splitlines(keepends=True)
        for number, line in enumerate(lines):
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                if number == 0 and line.endswith(b"\n"):
                    raise ExportConflict(
                        f"{path} exists and is not an export manifest: export writes only "
                        "where it keeps its own manifest; choose another --out, or move it"
                    )
                continue  # a line torn by an interruption
            self.entries[entry["id"]] = _span(entry)
        if data and not data.endswith(b"\n"):
            with path.open("r+b") as handle:  # ours: cut the torn line off
                handle.truncate(data.rfind(b"\n") + 1)

    @property
    def exists(self) -> bool:
        """Whether the manifest is on disk."""
        return self.path.exists()

    def create(self) -> None:
        """Write an empty manifest (the export's claim to what it writes next)."""
        write_atomically(self.path, ())

    def add(self, entry: dict[str, Any]) -> None:
        """Record a finished thread."""
        self.entries[entry["id"]] = _span(entry)
        with self.path.open("ab") as handle:
            handle.write(dump_line(entry))

    def rewrite_blocks(self, kept: dict[str, Span]) -> None:
        """Keep only these single-file entries (``id``, ``items``, ``start``, ``end``)."""
        self.entries = kept
        write_atomically(
            self.path,
            (
                dumps({"id": key, "items": items, "start": start, "end": end}, compact=True)
                for key, (start, end, items, _) in kept.items()
            ),
        )
