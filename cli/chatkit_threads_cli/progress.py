"""Export progress: a rich progress bar on a terminal, plain lines otherwise.

Both show threads per second and, once the listing has been counted (the count runs
beside the export, see ``export``), an estimate of the time left.
"""

from __future__ import annotations

import time
from datetime import timedelta
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from .export import Outcome

__all__ = ["BarProgress", "LineProgress", "make_progress"]


def _duration(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


class LineProgress:
    """One line per thread, for logs and pipes::

        [3/12] exported cthr_... (8 items) 14.2 threads/s, ETA 0:00:01

    (``[3/?]`` and no ETA until the listing has been counted)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.total: int | None = None
        self.done = 0
        self.started = time.monotonic()
        self.announced = False

    def start(self, total: int | None) -> None:
        """The run begins (the first line waits for the first thread or the count)."""
        self.total = total
        self.started = time.monotonic()
        self.announced = False

    def _announce(self) -> None:
        if not self.announced:
            self.announced = True
            what = f"{self.total} threads" if self.total is not None else "threads"
            self.console.print(f"exporting {what}", markup=False, highlight=False)

    def set_total(self, total: int) -> None:
        """The listing has been counted: show it and an ETA from now on."""
        self.total = total

    def thread_done(self, thread_id: str, outcome: Outcome, items: int) -> None:
        """Print one line for the finished thread."""
        self._announce()
        self.done += 1
        detail = f" ({items} items)" if outcome in ("exported", "resumed") else ""
        total = self.total
        if total is not None and total < self.done:
            total = self.done  # threads created since the count
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        timing = f" {rate:.1f} threads/s"
        if total is not None:
            timing += f", ETA {_duration((total - self.done) / rate)}"
        self.console.print(
            f"[{self.done}/{total if total is not None else '?'}] "
            f"{outcome} {thread_id}{detail}{timing}",
            markup=False,
            highlight=False,
        )

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is None:
            self._announce()  # an export of no threads says so


class _RateColumn(ProgressColumn):
    """Threads per second, averaged by rich over the last half minute."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f} threads/s", style="progress.data.speed")


class BarProgress:
    """A transient rich progress bar counting threads."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("exporting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("threads"),
            _RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[current]}", style="dim"),
            console=console,
            transient=True,
            speed_estimate_period=30.0,
        )
        self.task = self.progress.add_task("export", total=None, current="")

    def start(self, total: int | None) -> None:
        """Set the bar's length, when known."""
        if total is not None:
            self.set_total(total)

    def set_total(self, total: int) -> None:
        """The listing has been counted: the bar gets its length, and an ETA."""
        done = self.progress.tasks[0].completed
        self.progress.update(self.task, total=max(total, done))

    def thread_done(self, thread_id: str, outcome: Outcome, items: int) -> None:
        """Advance the bar by one thread."""
        self.progress.update(self.task, advance=1, current=f"{outcome} {thread_id}")

    def __enter__(self) -> BarProgress:
        self.progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.progress.stop()


def make_progress(console: Console) -> LineProgress | BarProgress:
    """A bar when ``console`` is a terminal, plain lines otherwise."""
    return BarProgress(console) if console.is_terminal else LineProgress(console)
