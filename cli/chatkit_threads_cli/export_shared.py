"""What the two export layouts share: the options, and what a worker hands back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from .limits import PAGE_MAX

__all__ = ["ExportOptions", "Fetched", "Outcome"]

Outcome = Literal["exported", "resumed", "skipped", "vanished"]


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
class Fetched:
    """What a worker did for one thread, for the calling thread to record in order."""

    outcome: Outcome
    written: int = 0
    record_items: int | None = None
    """Items of a finished thread whose manifest line is still to be written."""
    spool: IO[bytes] | None = None
    """A single-file export's block for this thread, to append to the file."""
