"""Resumable export of threads with all their items.

Two layouts, chosen by ``--out``:

* a directory: ``DIR/<thread id>.jsonl`` per thread (optionally ``DIR/<thread id>.md``)
  and ``DIR/manifest.jsonl``. A thread is written to ``<id>.jsonl.part`` and renamed when
  its last item is on disk, so a finished file is always complete. A rerun skips finished
  files and continues a ``.part`` file from its last complete item.
* a single ``FILE.jsonl``: all blocks in one file, written to ``FILE.jsonl.part`` and
  renamed at the end. ``FILE.manifest.jsonl`` records where each finished thread's block
  ends; a rerun cuts the file back to the last finished thread and carries on from
  there (a thread that was cut short is fetched again from its first item).

Either way a rerun after success exports only threads created since, and every
exported file loads into the mock server (``mock serve --fixtures``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol
from urllib.parse import quote

from chatkit_threads import BadRequestError, ChatKit, NotFoundError, ThreadResource

from .markdown import transcript
from .records import dump_line, scan_block, to_models

__all__ = ["ExportOptions", "ExportSummary", "Outcome", "ProgressSink", "run_export"]

Outcome = Literal["exported", "resumed", "skipped", "vanished"]


class ProgressSink(Protocol):
    """Receives progress as threads are exported (a progress bar, or plain lines)."""

    def start(self, total: int) -> None:
        """The number of threads this run will go through."""

    def thread_done(self, thread_id: str, outcome: Outcome, items: int) -> None:
        """One thread finished (``items`` written this run)."""


@dataclass
class ExportOptions:
    """What to export and where."""

    out: Path
    user: str | None = None
    markdown: bool = False
    page_size: int = 100

    @property
    def single_file(self) -> bool:
        """Whether ``out`` names one ``.jsonl`` file rather than a directory."""
        return self.out.suffix.lower() == ".jsonl"


@dataclass
class ExportSummary:
    """What a run did, thread by thread."""

    exported: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    items: int = 0
    location: Path = Path()

    @property
    def total(self) -> int:
        """Threads that are now in the export (this run's and earlier runs')."""
        return len(self.exported) + len(self.resumed) + len(self.skipped)


def file_stem(thread_id: str) -> str:
    """A file name for a thread id that cannot escape the directory or clash on case."""
    name = quote(thread_id, safe="-_")
    return "_" + name if name.startswith(".") or not name else name


def _write_atomically(path: Path, lines: Iterable[str]) -> None:
    temporary = path.with_name(path.name + ".part")
    with temporary.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")
    os.replace(temporary, path)


def _write_markdown(path: Path, block: Iterable[bytes]) -> None:
    thread, items = to_models(block)
    _write_atomically(path, transcript(thread, items))


def _write_items(
    client: ChatKit, handle: BinaryIO, thread_id: str, after: str | None, page_size: int
) -> int:
    """Append every item after ``after`` (oldest first); flush after each page so that an
    interruption loses at most the page in flight. Returns the number written."""
    written = 0
    first = client.threads.list_items(thread_id, order="asc", limit=page_size, after=after)
    for page in first.iter_pages():
        for item in page.data:
            handle.write(dump_line(item.to_dict()))
            written += 1
        handle.flush()
    return written


class _Manifest:
    """An append-only JSONL index of finished threads (one line each)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        if path.exists():
            for line in path.read_bytes().splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line torn by an interruption
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    self.entries[entry["id"]] = entry

    def add(self, entry: dict[str, Any]) -> None:
        self.entries[entry["id"]] = entry
        with self.path.open("ab") as handle:
            handle.write(dump_line(entry))

    def rewrite(self, entries: list[dict[str, Any]]) -> None:
        self.entries = {entry["id"]: entry for entry in entries}
        _write_atomically(self.path, (json.dumps(e, separators=(",", ":")) for e in entries))


class _DirectoryExport:
    """One file per thread; see the module docstring."""

    def __init__(self, client: ChatKit, options: ExportOptions) -> None:
        self.client = client
        self.options = options
        self.root = options.out
        self.root.mkdir(parents=True, exist_ok=True)
        self.manifest = _Manifest(self.root / "manifest.jsonl")

    def finish(self) -> None:
        """Nothing to do: every thread's file was renamed as it finished."""

    def export(self, thread: ThreadResource) -> tuple[Outcome, int]:
        stem = file_stem(thread.id)
        final = self.root / f"{stem}.jsonl"
        part = self.root / f"{stem}.jsonl.part"
        markdown = self.root / f"{stem}.md"
        if final.exists():
            if self.options.markdown and not markdown.exists():
                with final.open("rb") as lines:
                    _write_markdown(markdown, lines)
            if thread.id not in self.manifest.entries:
                # Renamed just before an interruption, before its manifest line.
                items = scan_block(final.read_bytes()).items
                self._record(thread.id, final, items)
            return "skipped", 0
        outcome: Outcome = "exported"
        after: str | None = None
        kept = 0
        if part.exists():
            scan = scan_block(part.read_bytes())
            if scan.thread_id == thread.id:
                outcome, after, kept = "resumed", scan.last_item_id, scan.items
                with part.open("r+b") as handle:
                    handle.truncate(scan.valid_bytes)
        if outcome == "exported":
            part.write_bytes(dump_line(thread.to_dict()))
        try:
            with part.open("ab") as handle:
                written = _write_items(
                    self.client, handle, thread.id, after, self.options.page_size
                )
        except NotFoundError:
            part.unlink(missing_ok=True)  # deleted meanwhile: nothing left to finish
            raise
        except BadRequestError:
            if after is None:
                raise
            # The item we would continue after is gone (400: unknown cursor): start over.
            part.write_bytes(dump_line(thread.to_dict()))
            outcome, kept = "exported", 0
            with part.open("ab") as handle:
                written = self._items(handle, thread.id, None)
        if self.options.markdown:
            with part.open("rb") as lines:
                _write_markdown(markdown, lines)
        os.replace(part, final)  # the thread is complete from here on
        self._record(thread.id, final, kept + written)
        return outcome, written

    def _items(self, handle: BinaryIO, thread_id: str, after: str | None) -> int:
        return _write_items(self.client, handle, thread_id, after, self.options.page_size)

    def _record(self, thread_id: str, path: Path, items: int) -> None:
        self.manifest.add(
            {"id": thread_id, "file": path.name, "items": items, "exported_at": int(time.time())}
        )


class _SingleFileExport:
    """All threads in one JSONL file; see the module docstring."""

    def __init__(self, client: ChatKit, options: ExportOptions) -> None:
        self.client = client
        self.options = options
        out = options.out
        out.parent.mkdir(parents=True, exist_ok=True)
        self.final = out
        self.part = out.with_name(out.name + ".part")
        self.markdown_dir = out.with_name(out.stem + "-markdown")
        self.manifest = _Manifest(out.with_name(out.stem + ".manifest.jsonl"))
        if self.final.exists() and not self.part.exists():
            # A finished export: reopen it to append threads created since.
            os.replace(self.final, self.part)
        if not self.part.exists():
            self.part.write_bytes(b"")
            self.manifest.rewrite([])
        self._cut_back_to_finished()
        self.handle = self.part.open("ab")
        if options.markdown:
            self.markdown_dir.mkdir(exist_ok=True)

    def _cut_back_to_finished(self) -> None:
        """Drop the manifest entries the data file does not hold, and the data after the
        last finished thread (a block cut short by an interruption)."""
        size = self.part.stat().st_size
        kept: list[dict[str, Any]] = []
        end = 0
        for entry in self.manifest.entries.values():
            if entry.get("start") != end or not isinstance(entry.get("end"), int):
                break
            if entry["end"] > size:
                break
            kept.append(entry)
            end = entry["end"]
        if len(kept) != len(self.manifest.entries):
            self.manifest.rewrite(kept)
        if size != end:
            with self.part.open("r+b") as handle:
                handle.truncate(end)

    def export(self, thread: ThreadResource) -> tuple[Outcome, int]:
        markdown = self.markdown_dir / f"{file_stem(thread.id)}.md"
        entry = self.manifest.entries.get(thread.id)
        if entry is not None:
            if self.options.markdown and not markdown.exists():
                self._markdown(markdown, entry["start"], entry["end"])
            return "skipped", 0
        handle = self.handle
        start = handle.tell()
        handle.write(dump_line(thread.to_dict()))
        try:
            written = _write_items(self.client, handle, thread.id, None, self.options.page_size)
        except NotFoundError:
            # Deleted while we were reading it: take its lines back out so that the next
            # block starts where the manifest says the previous one ended.
            handle.flush()
            handle.truncate(start)
            handle.seek(start)
            raise
        end = handle.tell()
        self.manifest.add({"id": thread.id, "items": written, "start": start, "end": end})
        if self.options.markdown:
            self._markdown(markdown, start, end)
        return "exported", written

    def _markdown(self, path: Path, start: int, end: int) -> None:
        self.handle.flush()
        with self.part.open("rb") as data:
            data.seek(start)
            block = data.read(end - start)
        _write_markdown(path, block.splitlines(keepends=True))

    def abandon_current(self) -> None:
        """Close the data file after an error (a rerun cuts the unfinished block off)."""
        self.handle.close()

    def finish(self) -> None:
        """Close the data file and give it its final name: the export is complete."""
        self.handle.close()
        os.replace(self.part, self.final)


def run_export(client: ChatKit, options: ExportOptions, progress: ProgressSink) -> ExportSummary:
    """Export every thread (of ``options.user``, if set) with all its items.

    Threads are listed oldest first, so a rerun finds earlier threads in the same order
    and new ones at the end. A thread deleted between the listing and its export is
    reported as vanished, not as an error; any other API error stops the run, and a
    rerun picks up where it stopped.
    """
    threads = list(client.threads.list(user=options.user, order="asc", limit=100))
    writer: _DirectoryExport | _SingleFileExport = (
        _SingleFileExport(client, options)
        if options.single_file
        else _DirectoryExport(client, options)
    )
    summary = ExportSummary(location=options.out)
    progress.start(len(threads))
    try:
        for thread in threads:
            try:
                outcome, written = writer.export(thread)
            except NotFoundError:
                outcome, written = "vanished", 0
            getattr(summary, outcome).append(thread.id)
            summary.items += written
            progress.thread_done(thread.id, outcome, written)
    except BaseException:
        if isinstance(writer, _SingleFileExport):
            writer.abandon_current()
        raise
    writer.finish()
    return summary
