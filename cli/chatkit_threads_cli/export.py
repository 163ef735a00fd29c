"""Resumable export of threads with all their items.

Two layouts, chosen by ``--out``: a directory (``export_dir``: one file per thread and
``DIR/manifest.jsonl``) or a single ``FILE.jsonl`` (``export_file``: all blocks in one
file, with ``FILE.manifest.jsonl``). Either way a rerun after an interruption finishes
what was cut short, a rerun after success exports only threads created since, every
exported file loads into the mock server (``mock serve --fixtures``), and no file the
export did not write is ever overwritten, truncated or moved (``export_files``).

Threads are exported ``concurrency`` at a time (see ``pool``), streamed from the
listing; each is fetched on a worker (to its ``.part`` file, or for a single file to a
temporary spool), and the manifest and the single file are written on the calling
thread in the listing's order, so the output does not depend on the concurrency.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from chatkit_threads import ChatKit, NotFoundError, ThreadResource

from .export_dir import DirectoryExport
from .export_file import SingleFileExport
from .export_shared import ExportOptions, Fetched, Outcome
from .listing import list_threads
from .pool import Outcome as Settled
from .pool import RateLimiter, run_ordered, without_rate_limit_retries

__all__ = [
    "ExportOptions",
    "ExportSummary",
    "Outcome",
    "ProgressSink",
    "run_export",
]


class ProgressSink(Protocol):
    """Receives progress as threads are exported (a progress bar, or plain lines)."""

    def start(self, total: int | None) -> None:
        """The run begins; ``total`` threads, if known yet (see ``set_total``)."""

    def set_total(self, total: int) -> None:
        """How many threads the run goes through, once the listing has been counted."""

    def thread_done(self, thread_id: str, outcome: Outcome, items: int) -> None:
        """One thread finished (``items`` written this run)."""


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

    writer: DirectoryExport | SingleFileExport = (
        SingleFileExport(api, options, stopping)
        if options.single_file
        else DirectoryExport(api, options, stopping)
    )
    summary = ExportSummary(location=options.out)

    def done(thread: ThreadResource, settled: Settled[Fetched]) -> None:
        if isinstance(settled.error, NotFoundError):
            fetched = Fetched("vanished")
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
