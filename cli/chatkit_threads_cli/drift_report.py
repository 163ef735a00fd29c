"""The drift report's data: departures folded into rows (operation, schema, folded
path, problem) with how often each happened out of how many places it could have, the
share of each operation's bodies that conform, and how an example value is shown."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import attrs

from .conformance import MISSING, Departure, SpecChecker, fold_path

__all__ = ["DriftReport", "DriftRow", "ExampleStyle", "OperationShare"]

# Values shown as they are: ids, enum values, type names, timestamps, URLs. Anything
# else (spaces, punctuation, other scripts) counts as free text.
_TOKEN = re.compile(r"[A-Za-z0-9_.:/@+=-]*")
_TEXT_START = 12


@attrs.define
class DriftRow:
    """One kind of departure at one place of one operation's bodies."""

    operation: str
    schema: str
    path: str
    problem: str
    count: int
    total: int
    example: Any

    def to_json(self, style: ExampleStyle) -> dict[str, Any]:
        """The row for ``--json`` (the example as shortened text, or null)."""
        data = attrs.asdict(self)
        data["example"] = style.render(self.example)
        return data


@attrs.define
class OperationShare:
    """How many of an operation's bodies conform to the spec."""

    operation: str
    bodies: int = 0
    conforming: int = 0


class DriftReport:
    """Accumulates checked bodies into rows and per-operation shares."""

    def __init__(self, checker: SpecChecker) -> None:
        self.checker = checker
        self.shares = {op: OperationShare(op) for op in checker.operations}
        self._places: Counter[tuple[str, str]] = Counter()
        self._rows: dict[tuple[str, str, str, str], DriftRow] = {}
        self._units: dict[tuple[str, str, str, str], str] = {}

    def add(self, operation: str, body: Any) -> list[Departure]:
        """Check one body of ``operation``; returns its departures."""
        for place in _places(body, "$"):
            self._places[operation, place] += 1
        departures = self.checker.check(operation, body)
        share = self.shares.setdefault(operation, OperationShare(operation))
        share.bodies += 1
        share.conforming += not departures
        for departure in departures:
            key = (operation, departure.schema, fold_path(departure.path), departure.problem)
            row = self._rows.get(key)
            if row is None:
                row = self._rows[key] = DriftRow(*key, 0, 0, departure.value)
                self._units[key] = fold_path(departure.unit)
            row.count += 1
        return departures

    @property
    def rows(self) -> list[DriftRow]:
        """The rows, in operation order then most frequent first."""
        order = {op: index for index, op in enumerate(self.shares)}
        for key, row in self._rows.items():
            row.total = self._places[row.operation, self._units[key]] or row.count
        return sorted(
            self._rows.values(), key=lambda r: (order.get(r.operation, 0), -r.count, r.path)
        )


def _places(value: Any, path: str) -> Iterator[str]:
    """Every folded path of ``value``: where a departure can be counted."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _places(child, f"{path}.{key}")
    elif isinstance(value, list):
        for child in value:
            yield from _places(child, f"{path}[*]")


@attrs.frozen
class ExampleStyle:
    """How an offending value is shown: cut to ``width`` characters (0 = not shown),
    free text (any string but an id-like token) reduced to its start unless
    ``show_text``, and the API key (``secret``) replaced wherever it appears."""

    width: int = 40
    show_text: bool = False
    secret: str | None = None

    def render(self, value: Any) -> str | None:
        """The one-line example, or None when there is nothing to show."""
        if self.width <= 0 or value is MISSING:
            return None
        text = " ".join(json.dumps(self._mask(value), ensure_ascii=False).split())
        if len(text) > self.width:
            suffix = f"... ({len(text)} chars)"
            text = text[: max(self.width - len(suffix), 1)] + suffix
        return text

    def _mask(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self._mask(child) for key, child in value.items()}
        if isinstance(value, list):
            return [self._mask(child) for child in value]
        if not isinstance(value, str):
            return value
        if self.secret and self.secret in value:
            value = value.replace(self.secret, "<redacted>")
        if self.show_text or _TOKEN.fullmatch(value):
            return value
        # Free text (a message) is the user's; its start says enough to find it.
        words = value.split()
        # Never more than half of it, so that a short text is not shown whole either.
        start = words[0][: min(_TEXT_START, len(value) // 2)] if words else ""
        return f"{start} ...({len(value)} chars of text)"
