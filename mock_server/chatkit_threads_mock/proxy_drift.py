"""The validation proxy's findings: departures from the spec, counted by JSON path.

Each response the proxy passes through is checked with the project's one response
validator (`chatkit_threads_spec.validate.problems`, as `chatkit-threads spec drift`
uses it). A departure is counted under its operation, its JSON path with indices
folded (`$.data[*].status.type`, as the drift report counts them) and its problem;
`GET /__admin/drift` shows the tally as text or JSON, and the proxy prints it on
shutdown.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["DriftTally", "Finding", "fold_path"]

_INDEX = re.compile(r"\[\d+\]")
# Rows kept at most: a server departing in a new way on every response must not grow
# memory without bound.
_MAX_ROWS = 1000


def fold_path(path: str) -> str:
    """`$.data[3].content[0].text` -> `$.data[*].content[*].text`."""
    return _INDEX.sub("[*]", path)


@dataclass
class Finding:
    """One kind of departure: where (folded path), what, in which operation, how often."""

    operation: str
    path: str
    problem: str
    count: int = 0
    example: str = ""
    """A concrete path where it was seen (e.g. `$.data[3].type`)."""


class DriftTally:
    """Counts departures per (operation, folded path, problem), thread-safely."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str, str], Finding] = {}
        self.checked = 0
        """Responses checked against the spec."""
        self.departing = 0
        """Responses with at least one departure."""
        self.unchecked = 0
        """Responses not checked (no operation of the spec matched the request)."""

    def add(self, operation: str, problems: Iterable[tuple[str, str]]) -> None:
        """Count one checked response of `operation` and its `(path, message)` problems."""
        found = list(problems)
        with self._lock:
            self.checked += 1
            self.departing += bool(found)
            for path, message in found:
                key = (operation, fold_path(path), message)
                row = self._rows.get(key)
                if row is None:
                    if len(self._rows) >= _MAX_ROWS:
                        continue
                    row = self._rows[key] = Finding(operation, key[1], message, example=path)
                row.count += 1

    def skip(self) -> None:
        """Count one response that nothing in the spec describes."""
        with self._lock:
            self.unchecked += 1

    def findings(self) -> list[Finding]:
        """The findings, most frequent first."""
        with self._lock:
            rows = [Finding(**vars(row)) for row in self._rows.values()]
        return sorted(rows, key=lambda row: (-row.count, row.operation, row.path))

    def as_json(self) -> dict[str, Any]:
        """The tally as a JSON object (`GET /__admin/drift?format=json`)."""
        return {
            "object": "mock.drift",
            "checked": self.checked,
            "departing": self.departing,
            "unchecked": self.unchecked,
            "findings": [vars(row) for row in self.findings()],
        }

    def as_text(self) -> str:
        """The tally as lines of text (`GET /__admin/drift`, and on shutdown)."""
        lines = [
            f"{self.checked} responses checked against the spec, {self.departing} departing"
            + (f", {self.unchecked} not described by it" if self.unchecked else "")
        ]
        for row in self.findings():
            lines.append(f"  {row.count:>6}  {row.operation}  {row.path}: {row.problem}")
        return "\n".join(lines) + "\n"
