"""Export progress: a rich progress bar on a terminal, plain lines otherwise."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from .export import Outcome

__all__ = ["BarProgress", "LineProgress", "make_progress"]


class LineProgress:
    """One line per thread (``[3/12] exported cthr_... (8 items)``), for logs and pipes."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.total = 0
        self.done = 0

    def start(self, total: int) -> None:
        """Announce how many threads the run covers."""
        self.total = total
        self.console.print(f"exporting {total} threads", markup=False, highlight=False)

    def thread_done(self, thread_id: str, outcome: Outcome, items: int) -> None:
        """Print one line for the finished thread."""
        self.done += 1
        detail = f" ({items} items)" if outcome in ("exported", "resumed") else ""
        self.console.print(
            f"[{self.done}/{self.total}] {outcome} {thread_id}{detail}",
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
        return None


class BarProgress:
    """A transient rich progress bar counting threads."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("exporting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("threads"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[current]}", style="dim"),
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task("export", total=None, current="")

    def start(self, total: int) -> None:
        """Set the bar's length."""
        self.progress.update(self.task, total=total)

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
