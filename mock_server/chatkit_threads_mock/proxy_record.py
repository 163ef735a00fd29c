"""`proxy --record DIR`: what passed through, as fixtures the mock serves again.

Every thread and item a successful GET returned (a page's entries, or one object) is
kept as the upstream wrote it, the latest copy of each id winning; a successful DELETE
removes the thread and its items, so a replay answers the listings as the session last
saw them. `DIR/fixtures.jsonl` is written (atomically) when the proxy stops, threads
first, each item after its thread: `serve --seed none --fixtures DIR/fixtures.jsonl`
loads it, with `--allow-drift` when the upstream departed from the spec. Only response
bodies are written, with every key the callers sent replaced by `[redacted]`: never a
header, never a request body.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .page import dumps

__all__ = ["FIXTURES_FILE", "Recorder"]

FIXTURES_FILE = "fixtures.jsonl"
REDACTED = "[redacted]"


class Recorder:
    """The threads and items seen, by id, written as one fixtures file on `write`.

    `parents` maps each resource kind (`object` value) that belongs to a listing of
    another to the field naming its parent (`chatkit.thread_item` -> `thread_id`);
    other kinds are top-level.
    """

    def __init__(self, directory: str | Path, parents: Mapping[str, str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.parents = dict(parents)
        self._lock = threading.Lock()
        # id -> (parent id or None, the line as the upstream wrote it)
        self._records: dict[str, tuple[str | None, str]] = {}

    @property
    def path(self) -> Path:
        """The fixtures file written."""
        return self.directory / FIXTURES_FILE

    def keep(
        self, records: Iterable[Any], secrets: Iterable[str], parent: str | None = None
    ) -> None:
        """Keep each record that has a string `id` (a page's entries, or one object).

        `parent` is the listing's parent id (the thread of an items page), used for an
        entry that does not name its own.
        """
        hidden = [secret for secret in secrets if secret]
        with self._lock:
            for record in records:
                if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                    continue
                field = self.parents.get(str(record.get("object")))
                owner = None
                if field is not None:
                    named = record.get(field)
                    owner = named if isinstance(named, str) else parent
                    if owner is not None and not isinstance(named, str):
                        record = {**record, field: owner}
                line = dumps(record)
                for secret in hidden:
                    line = line.replace(secret, REDACTED)
                # Re-inserted: the latest copy goes last, after its thread.
                self._records.pop(record["id"], None)
                self._records[record["id"]] = (owner, line)

    def forget(self, record_id: str) -> None:
        """A deleted thread: drop it and its items."""
        with self._lock:
            self._records.pop(record_id, None)
            for key in [k for k, (owner, _) in self._records.items() if owner == record_id]:
                del self._records[key]

    def write(self) -> tuple[int, int]:
        """Write the fixtures file; (records written, items left out for want of their thread)."""
        with self._lock:
            records = list(self._records.values())
        tops = [line for owner, line in records if owner is None]
        known = {key for key, (owner, _) in self._records.items() if owner is None}
        children = [line for owner, line in records if owner is not None and owner in known]
        orphans = sum(1 for owner, _ in records if owner is not None and owner not in known)
        temporary = self.path.with_name(self.path.name + ".part")
        with open(temporary, "w", encoding="utf-8") as handle:
            for line in [*tops, *children]:
                handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        return len(tops) + len(children), orphans
