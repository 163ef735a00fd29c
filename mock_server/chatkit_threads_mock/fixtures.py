"""Load a user's own threads and items from a JSONL file.

One JSON object per line: a thread (`"object": "chatkit.thread"`, as the API returns
it) or an item (`"object": "chatkit.thread_item"`, with the `thread_id` of a thread
earlier in the file or already in the database). Every line is checked against the
spec's schema, formats included (a `format: uri` field must hold a URI); the first
bad line stops the load with its number and the reason, and
nothing from the file is stored (one transaction).

With `allow_drift=True` (`--allow-drift`), lines that depart from the spec are stored
and served exactly as written, e.g. what `chatkit-threads spec drift --record` saw from
the real API. Only what the mock needs to file a record must still make sense: a
string `id`. A line whose `object` is neither a thread's nor an item's is an item if it
has a `thread_id`, else a thread; an item without a usable `thread_id` belongs to the
thread on the nearest line above; a missing or non-integer `created_at` sorts as 0, a
missing `user` as "".
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from chatkit_threads_spec import Resource, Spec, load_spec
from chatkit_threads_spec.validate import Problem, problems

from .page import sort_key
from .store import ThreadStore, dumps, project_for_key

__all__ = ["FixtureError", "load_fixture_lines", "load_fixtures"]


class FixtureError(ValueError):
    """A fixture file line that cannot be loaded."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}, line {line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


def _first_problem(spec: Spec, resource: Resource, record: dict[str, Any]) -> Problem | None:
    """The first departure of `record` from its schema (formats too: a `preview_url`
    that is not a URI is refused like a wrong type), by the project's one validator."""
    found = problems(resource.schema, record, spec=spec, check_formats=True)
    return found[0] if found else None


def load_fixtures(
    store: ThreadStore, api_key: str, path: str | Path, *, allow_drift: bool = False
) -> tuple[int, int]:
    """Load a JSONL file into the key's project; return (threads, items) loaded.

    `allow_drift` stores lines that depart from the spec as they are (see above).
    """
    with open(path, "rb") as handle:
        return load_fixture_lines(store, api_key, handle, name=str(path), allow_drift=allow_drift)


def load_fixture_lines(
    store: ThreadStore,
    api_key: str,
    lines: Iterable[bytes],
    *,
    name: str,
    allow_drift: bool = False,
) -> tuple[int, int]:
    """`load_fixtures` of JSONL lines (bytes) from anywhere; `name` names them in errors.

    All or nothing: the first bad line raises `FixtureError` and nothing is stored.
    """
    project = project_for_key(api_key)
    # The spec decides what a valid fixture is: the kinds of object its GET operations
    # return, their schemas, and which listing each belongs to.
    spec = load_spec()
    validators = dict(spec.resources)
    threads: dict[str, dict[str, Any]] = {}
    items: dict[str, dict[str, Any]] = {}
    # Drifting records keep their exact text; the store's columns get usable stand-ins.
    thread_rows: list[tuple[str, str, int, str, str]] = []
    item_rows: list[tuple[str, str, int, str]] = []
    last_thread: str | None = None
    for number, raw in enumerate(lines, start=1):
        line, record = _parse_line(name, number, raw)
        if record is None:
            continue
        kind = record.get("object")
        if kind not in validators and allow_drift:
            kind = _drifting_kind(validators, record)
        if kind not in validators:
            raise FixtureError(
                name, number, f"'object' must be one of {sorted(validators)}, got {kind!r}"
            )
        resource = validators[kind]
        if allow_drift:
            if not isinstance(record.get("id"), str) or not record["id"]:
                raise FixtureError(name, number, "'id' must be a non-empty string")
            link = resource.parent
            if link is not None and not isinstance(record.get(link), str):
                if last_thread is None:
                    raise FixtureError(
                        name, number, f"an item without '{link}' needs a thread above it"
                    )
                record = dict(record, **{link: last_thread})
            problem = None
        else:
            problem = _first_problem(spec, resource, record)
        if problem is not None:
            raise FixtureError(name, number, f"at {problem.path}: {problem.message}")
        record_id = record["id"]
        _check_columns(name, number, (record_id, ""))
        if record_id in threads or record_id in items:
            raise FixtureError(name, number, f"id {record_id!r} appears twice in the file")
        if resource.parent is None:
            if store.has_thread(record_id):
                raise FixtureError(name, number, f"thread {record_id!r} is already stored")
            threads[record_id] = record
            last_thread = record_id
            row = (record_id, project, sort_key(record), _text(record.get("user")), line)
            _check_columns(name, number, row)
            thread_rows.append(row)
        else:
            if store.has_item(record_id):
                raise FixtureError(name, number, f"item {record_id!r} is already stored")
            parent = record[resource.parent]
            if parent not in threads and store.get_thread(project, parent) is None:
                raise FixtureError(
                    name,
                    number,
                    f"item {record_id!r}: thread {parent!r} is neither earlier in the file "
                    "nor stored for this key",
                )
            items[record_id] = record
            item_row = (record_id, parent, sort_key(record), line)
            _check_columns(name, number, item_row)
            item_rows.append(item_row)
    # Drifting lines are stored as written; checked ones as the API writes JSON. Either
    # way the rows' sort keys come from `sort_key`, which any `created_at` fits.
    if not allow_drift:
        thread_rows = [(*row[:4], dumps(threads[row[0]])) for row in thread_rows]
        item_rows = [(*row[:3], dumps(items[row[0]])) for row in item_rows]
    store.add_rows(thread_rows, item_rows, project=project)
    return len(threads), len(items)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text[:40]} is beyond what a JSON number can be read as")
    return value


def _parse_line(name: str, number: int, raw: bytes) -> tuple[str, dict[str, Any] | None]:
    """A line's text and its object (None for a blank line); FixtureError naming the line.

    Whatever a line holds (any size, nesting, number or text) it is either loaded or
    refused with its number and the reason, never a crash: `NaN`, `Infinity` and
    numbers that overflow a float are not JSON the mock could send back, and a lone
    surrogate (`"\\ud800"`) is kept escaped, as JSON writes it.
    """
    try:
        line = raw.decode("utf-8").strip()
    except UnicodeDecodeError as error:
        raise FixtureError(name, number, f"not UTF-8 text ({error.reason})") from None
    if not line:
        return line, None
    try:
        record = json.loads(line, parse_constant=_not_json, parse_float=_finite)
    except json.JSONDecodeError as error:
        raise FixtureError(name, number, f"not JSON ({error.msg})") from None
    except ValueError as error:
        raise FixtureError(name, number, f"not JSON ({error})") from None
    except RecursionError:
        raise FixtureError(name, number, "nested too deeply to read") from None
    if not isinstance(record, dict):
        raise FixtureError(name, number, "expected a JSON object")
    try:
        dumps(record)
    except RecursionError:
        raise FixtureError(name, number, "nested too deeply to read") from None
    return line, record


def _check_columns(name: str, number: int, row: tuple[Any, ...]) -> None:
    """Refuse a line whose id (or user, or thread) SQLite cannot store as text.

    A lone surrogate (`"\\ud800"`) is valid JSON but not Unicode text: a body holding
    one is stored with it escaped, as JSON allows, but the values the mock files a
    record by must be text.
    """
    for value in row[:-1]:
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise FixtureError(
                    name, number, f"{value[:40]!r} holds a lone surrogate (not text)"
                ) from None


def _drifting_kind(validators: dict[str, Resource], record: dict[str, Any]) -> Any:
    # A drifting `object`: a record that names a parent is that parent's child kind,
    # any other one is the top-level kind.
    for kind, resource in validators.items():
        if resource.parent is not None and resource.parent in record:
            return kind
    return next((kind for kind, resource in validators.items() if resource.parent is None), None)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
