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

Threads are exported ``concurrency`` at a time (see ``pool``), streamed from the
listing; each is fetched on a worker (to its ``.part`` file, or for a single file to a
temporary spool), and the manifest and the single file are written on the calling
thread in the listing's order, so the output does not depend on the concurrency.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, Protocol
from urllib.parse import quote

from chatkit_threads import (
    BadRequestError,
    ChatKit,
    NotFoundError,
    RateLimitError,
    ThreadResource,
)

from .limits import OLDEST_FIRST, PAGE_MAX
from .listing import list_threads
from .markdown import transcript
from .pool import Cancelled, RateLimiter, run_ordered, without_rate_limit_retries
from .pool import Outcome as Settled
from .records import dump_line, scan_block, to_models

__all__ = ["ExportOptions", "ExportSummary", "Outcome", "ProgressSink", "run_export"]

Outcome = Literal["exported", "resumed", "skipped", "vanished"]


class ProgressSink(Protocol):
    """Receives progress as threads are exported (a progress bar, or plain lines)."""

    def start(self, total: int | None) -> None:
        """The run begins; ``total`` threads, if known yet (see ``set_total``)."""

    def set_total(self, total: int) -> None:
        """How many threads the run goes through, once the listing has been counted."""

    def thread_done(self, thread_id: str, outcome: Outcome, items: int) -> None:
        """One thread finished (``items`` written this run)."""


@dataclass
class ExportOptions:
    """What to export and where."""

    out: Path
    user: str | None = None
    markdown: bool = False
    page_size: int = PAGE_MAX
    concurrency: int = 4
    """Threads fetched at once (1: one after the other)."""

    @property
    def single_file(self) -> bool:
        """Whether ``out`` names one ``.jsonl`` file rather than a directory."""
        return self.out.suffix.lower() == ".jsonl"


@dataclass
class ExportSummary:
    """How many threads a run exported, finished, skipped or found deleted (counts, not
    ids: a run's memory must not grow with the account)."""

    exported: int = 0
    resumed: int = 0
    skipped: int = 0
    vanished: int = 0
    items: int = 0
    location: Path = Path()
    rate_limited: int = 0
    """429 answers met (and waited out) on the way."""

    @property
    def total(self) -> int:
        """Threads that are now in the export (this run's and earlier runs')."""
        return self.exported + self.resumed + self.skipped


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


_Span = tuple[Any, Any, Any]
"""What the manifest keeps in memory of an entry: its ``start``, ``end`` and ``items``."""


def _span(entry: dict[str, Any]) -> _Span:
    return entry.get("start"), entry.get("end"), entry.get("items")


class _Manifest:
    """An append-only JSONL index of finished threads (one line each). In memory only
    the id and a small tuple per thread, so that a large account stays cheap."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, _Span] = {}
        if path.exists():
            with path.open("rb") as lines:
                for line in lines:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue  # a line torn by an interruption
                    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                        self.entries[entry["id"]] = _span(entry)

    def add(self, entry: dict[str, Any]) -> None:
        self.entries[entry["id"]] = _span(entry)
        with self.path.open("ab") as handle:
            handle.write(dump_line(entry))

    def rewrite_blocks(self, kept: dict[str, _Span]) -> None:
        """Keep only these single-file entries (``id``, ``items``, ``start``, ``end``)."""
        self.entries = kept
        _write_atomically(
            self.path,
            (
                json.dumps(
                    {"id": key, "items": items, "start": start, "end": end},
                    separators=(",", ":"),
                )
                for key, (start, end, items) in kept.items()
            ),
        )


@dataclass
class _Fetched:
    """What a worker did for one thread, for the calling thread to record in order."""

    outcome: Outcome
    written: int = 0
    record_items: int | None = None
    """Items of a finished thread whose manifest line is still to be written."""
    spool: IO[bytes] | None = None
    """A single-file export's block for this thread, to append to the file."""


class _DirectoryExport:
    """One file per thread; see the module docstring."""

    def __init__(self, client: ChatKit, options: ExportOptions, stopping: Callable[[], bool]):
        self.client = client
        self.options = options
        self.stopping = stopping
        self.root = options.out
        self.root.mkdir(parents=True, exist_ok=True)
        self.manifest = _Manifest(self.root / "manifest.jsonl")
        self._rate_limited: dict[str, tuple[Outcome, int]] = {}

    def finish(self) -> None:
        """Nothing to do: every thread's file was renamed as it finished."""

    def abandon(self) -> None:
        """Nothing to do: a rerun finds the ``.part`` files and finished files."""

    def fetch(self, thread: ThreadResource) -> _Fetched:
        """Write the thread's file (on a worker); the manifest line comes in ``record``."""
        stem = file_stem(thread.id)
        final = self.root / f"{stem}.jsonl"
        part = self.root / f"{stem}.jsonl.part"
        markdown = self.root / f"{stem}.md"
        if final.exists():
            if self.options.markdown and not markdown.exists():
                with final.open("rb") as lines:
                    _write_markdown(markdown, lines)
            record = None
            if thread.id not in self.manifest.entries:
                # Renamed just before an interruption, before its manifest line.
                record = scan_block(final.read_bytes()).items
            return _Fetched("skipped", record_items=record)
        # A 429 mid-thread leaves the .part file to be continued by the retry; it is
        # still this run's export (or resume), counted from where this run began.
        carried = self._rate_limited.pop(thread.id, None)
        outcome: Outcome = "exported"
        after: str | None = None
        kept = baseline = 0
        if part.exists():
            scan = scan_block(part.read_bytes())
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
                _write_markdown(markdown, lines)
        os.replace(part, final)  # the thread is complete from here on
        return _Fetched(outcome, kept + written - baseline, record_items=kept + written)

    def record(self, thread: ThreadResource, fetched: _Fetched) -> None:
        """Add the manifest line of a thread finished on a worker (in listing order)."""
        if fetched.record_items is not None:
            self.manifest.add(
                {
                    "id": thread.id,
                    "file": f"{file_stem(thread.id)}.jsonl",
                    "items": fetched.record_items,
                    "exported_at": int(time.time()),
                }
            )

    def _items(self, handle: BinaryIO, thread_id: str, after: str | None) -> int:
        return _write_items(
            self.client, handle, thread_id, after, self.options.page_size, self.stopping
        )


class _SingleFileExport:
    """All threads in one JSONL file; see the module docstring."""

    def __init__(self, client: ChatKit, options: ExportOptions, stopping: Callable[[], bool]):
        self.client = client
        self.options = options
        self.stopping = stopping
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
            self.manifest.rewrite_blocks({})
        self._cut_back_to_finished()
        self.handle = self.part.open("ab")
        if options.markdown:
            self.markdown_dir.mkdir(exist_ok=True)

    def _cut_back_to_finished(self) -> None:
        """Drop the manifest entries the data file does not hold, and the data after the
        last finished thread (a block cut short by an interruption)."""
        size = self.part.stat().st_size
        kept: dict[str, _Span] = {}
        end = 0
        for key, span in self.manifest.entries.items():
            start, stop, _ = span
            if start != end or not isinstance(stop, int) or stop > size:
                break
            kept[key] = span
            end = stop
        if len(kept) != len(self.manifest.entries):
            self.manifest.rewrite_blocks(kept)
        if size != end:
            with self.part.open("r+b") as handle:
                handle.truncate(end)

    def fetch(self, thread: ThreadResource) -> _Fetched:
        """Fetch the thread's block into a temporary spool file (on a worker)."""
        if thread.id in self.manifest.entries:
            return _Fetched("skipped")
        # On disk, not in memory: a thread may hold any number of items.
        spool = tempfile.TemporaryFile(dir=self.final.parent, prefix=".chatkit-export-")  # noqa: SIM115 - handed over to record()
        try:
            spool.write(dump_line(thread.to_dict()))
            written = _write_items(
                self.client, spool, thread.id, None, self.options.page_size, self.stopping
            )
        except BaseException:
            spool.close()  # deleted meanwhile, rate limited (fetched again) or stopping
            raise
        return _Fetched("exported", written, spool=spool)

    def record(self, thread: ThreadResource, fetched: _Fetched) -> None:
        """Append a fetched block to the file (in listing order), or catch up on the
        Markdown of one exported before."""
        markdown = self.markdown_dir / f"{file_stem(thread.id)}.md"
        spool = fetched.spool
        if spool is None:
            start, end, _ = self.manifest.entries[thread.id]
            if self.options.markdown and not markdown.exists():
                self.handle.flush()
                with self.part.open("rb") as data:
                    data.seek(start)
                    block = data.read(end - start)
                _write_markdown(markdown, block.splitlines(keepends=True))
            return
        with spool:
            start = self.handle.tell()
            spool.seek(0)
            shutil.copyfileobj(spool, self.handle)
            self.handle.flush()
            end = self.handle.tell()
            self.manifest.add(
                {"id": thread.id, "items": fetched.written, "start": start, "end": end}
            )
            if self.options.markdown:
                spool.seek(0)
                _write_markdown(markdown, spool)

    def abandon(self) -> None:
        """Close the data file after an error (a rerun cuts any unfinished block off)."""
        self.handle.close()

    def finish(self) -> None:
        """Close the data file and give it its final name: the export is complete."""
        self.handle.close()
        os.replace(self.part, self.final)


def _count_in_background(
    client: ChatKit, limiter: RateLimiter, user: str | None, report: Callable[[int], None]
) -> threading.Event:
    """Walk the listing once more, only counting, so that progress can show an ETA
    while the export streams; set the returned event to stop it early."""
    stop = threading.Event()

    def count() -> None:
        total = 0
        try:
            for _ in list_threads(client, limiter, user=user):
                total += 1
                if stop.is_set():
                    return
        except Exception:  # only the ETA is lost; the export goes on
            return
        report(total)

    threading.Thread(target=count, name="chatkit-count", daemon=True).start()
    return stop


def _stops_the_run(exc: BaseException) -> bool:
    return not isinstance(exc, NotFoundError)  # a thread deleted meanwhile is skipped


def run_export(client: ChatKit, options: ExportOptions, progress: ProgressSink) -> ExportSummary:
    """Export every thread (of ``options.user``, if set) with all its items.

    Threads are listed oldest first, so a rerun finds earlier threads in the same order
    and new ones at the end; ``options.concurrency`` of them are fetched at once, and
    429 answers slow the run down rather than fail it (see ``pool``). A thread deleted
    between the listing and its export is reported as vanished, not as an error; any
    other API error stops the run, and a rerun picks up where it stopped.
    """
    api = without_rate_limit_retries(client)
    limiter = RateLimiter(options.concurrency, api.retry_policy)

    def stopping() -> bool:
        return limiter.stopped

    writer: _DirectoryExport | _SingleFileExport = (
        _SingleFileExport(api, options, stopping)
        if options.single_file
        else _DirectoryExport(api, options, stopping)
    )
    summary = ExportSummary(location=options.out)

    def done(thread: ThreadResource, settled: Settled[_Fetched]) -> None:
        if isinstance(settled.error, NotFoundError):
            fetched = _Fetched("vanished")
        else:
            fetched = settled.get()
            writer.record(thread, fetched)
        setattr(summary, fetched.outcome, getattr(summary, fetched.outcome) + 1)
        summary.items += fetched.written
        progress.thread_done(thread.id, fetched.outcome, fetched.written)

    progress.start(None)
    counting = _count_in_background(api, limiter, options.user, progress.set_total)
    threads = list_threads(api, limiter, user=options.user, on_total=progress.set_total)
    try:
        run_ordered(threads, writer.fetch, done, limiter, fatal=_stops_the_run)
    except BaseException:
        writer.abandon()
        raise
    finally:
        counting.set()
        summary.rate_limited = limiter.rate_limited
    writer.finish()
    return summary
