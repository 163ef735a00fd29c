"""A directory export: one file per thread, and ``DIR/manifest.jsonl``.

A thread is written to ``<name>.jsonl.part`` and renamed when its last item is on disk,
so a finished file is always complete; a rerun skips finished files and continues a
``.part`` file from its last complete item. Names come from ``file_stem`` (a slug and a
hash of the id) and the manifest maps each to its thread id.

The directory must be new, empty, or one this command exported to before (it has the
manifest): files of the user's are never overwritten or continued.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import BinaryIO

from chatkit_threads import BadRequestError, ChatKit, NotFoundError, RateLimitError, ThreadResource

from . import export_files as files
from .export_files import ExportConflict, Manifest, file_stem, write_markdown
from .export_shared import ExportOptions, Fetched, Outcome
from .jsontext import dump_line
from .records import scan_block

__all__ = ["DirectoryExport"]

MANIFEST = "manifest.jsonl"


class DirectoryExport:
    """One file per thread; see the module docstring."""

    def __init__(self, client: ChatKit, options: ExportOptions, stopping: Callable[[], bool]):
        self.client = client
        self.options = options
        self.stopping = stopping
        self.root = options.out
        self.root.mkdir(parents=True, exist_ok=True)
        self.manifest = Manifest(self.root / MANIFEST)
        if not self.manifest.exists:
            if any(self.root.iterdir()):
                raise ExportConflict(
                    f"{self.root} holds files but no {MANIFEST}: export writes only into a "
                    "new or empty directory, or one it exported to before"
                )
            self.manifest.create()
        self._rate_limited: dict[str, tuple[Outcome, int]] = {}
        self._busy: set[str] = set()
        self._lock = threading.Lock()

    def finish(self) -> None:
        """Nothing to do: every thread's file was renamed as it finished."""

    def abandon(self) -> None:
        """Nothing to do: a rerun finds the ``.part`` files and finished files."""

    def _stem(self, thread_id: str) -> str:
        # A thread exported before keeps the name its manifest line gives it.
        recorded = self.manifest.entries.get(thread_id, (None,) * 4)[3]
        if isinstance(recorded, str) and recorded.endswith(".jsonl") and "/" not in recorded:
            return recorded.removesuffix(".jsonl")
        return file_stem(thread_id)

    def fetch(self, thread: ThreadResource) -> Fetched:
        """Write the thread's file (on a worker); the manifest line comes in ``record``."""
        stem = self._stem(thread.id)
        with self._lock:
            # The listing hands out each id once and names are distinct per id, so this
            # never happens; if it did, two workers would write one .part file.
            if stem in self._busy:
                raise RuntimeError(f"{stem}.jsonl.part is already being written")
            self._busy.add(stem)
        try:
            return self._fetch(thread, stem)
        finally:
            with self._lock:
                self._busy.discard(stem)

    def _fetch(self, thread: ThreadResource, stem: str) -> Fetched:
        final = self.root / f"{stem}.jsonl"
        part = self.root / f"{stem}.jsonl.part"
        markdown = self.root / f"{stem}.md"
        if final.exists():
            record = None
            if thread.id not in self.manifest.entries:
                # Renamed just before an interruption, before its manifest line; or a
                # file that is not this thread's, which is left alone.
                scan = scan_block(final.read_bytes())
                if scan.thread_id != thread.id:
                    raise ExportConflict(f"{final} exists and is not the export of {thread.id}")
                record = scan.items
            if self.options.markdown and not markdown.exists():
                with final.open("rb") as lines:
                    write_markdown(markdown, lines)
            return Fetched("skipped", record_items=record)
        # A 429 mid-thread leaves the .part file to be continued by the retry; it is
        # still this run's export (or resume), counted from where this run began.
        carried = self._rate_limited.pop(thread.id, None)
        outcome: Outcome = "exported"
        after: str | None = None
        kept = baseline = 0
        if part.exists():
            scan = scan_block(part.read_bytes())
            if scan.thread_id not in (thread.id, None):
                raise ExportConflict(f"{part} exists and is not the export of {thread.id}")
            if scan.thread_id == thread.id:
                after, kept = scan.last_item_id, scan.items
                outcome, baseline = carried if carried is not None else ("resumed", kept)
                with part.open("r+b") as handle:
                    handle.truncate(scan.valid_bytes)
        if after is None and outcome == "exported":
            part.write_bytes(dump_line(thread.to_dict()))
            kept = 0
        try:
            with part.open("ab") as handle:
                written = self._items(handle, thread.id, after)
        except NotFoundError:
            part.unlink(missing_ok=True)  # deleted meanwhile: nothing left to finish
            raise
        except RateLimitError:
            self._rate_limited[thread.id] = (outcome, baseline)
            raise
        except BadRequestError:
            if after is None:
                raise
            # The item we would continue after is gone (400: unknown cursor): start over.
            part.write_bytes(dump_line(thread.to_dict()))
            outcome, kept, baseline = "exported", 0, 0
            with part.open("ab") as handle:
                written = self._items(handle, thread.id, None)
        if self.options.markdown:
            with part.open("rb") as lines:
                write_markdown(markdown, lines)
        os.replace(part, final)  # the thread is complete from here on
        return Fetched(outcome, kept + written - baseline, record_items=kept + written)

    def record(self, thread: ThreadResource, fetched: Fetched) -> None:
        """Add the manifest line of a thread finished on a worker (in listing order)."""
        if fetched.record_items is not None:
            self.manifest.add(
                {
                    "id": thread.id,
                    "file": f"{self._stem(thread.id)}.jsonl",
                    "items": fetched.record_items,
                    "exported_at": int(time.time()),
                }
            )

    def _items(self, handle: BinaryIO, thread_id: str, after: str | None) -> int:
        return files.write_items(
            self.client, handle, thread_id, after, self.options.page_size, self.stopping
        )
