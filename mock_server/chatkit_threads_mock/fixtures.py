"""Load a user's own threads and items from a JSONL file.

One JSON object per line: a thread (`"object": "chatkit.thread"`, as the API returns
it) or an item (`"object": "chatkit.thread_item"`, with the `thread_id` of a thread
earlier in the file or already in the database). Every line is checked against the
spec's schema; the first bad line stops the load with its number and the reason, and
nothing from the file is stored (one transaction).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .store import ThreadStore, project_for_key

__all__ = ["FixtureError", "load_fixtures"]

_SCHEMAS = {
    "chatkit.thread": "ThreadResource",
    "chatkit.thread_item": "ThreadItem",
}


class FixtureError(ValueError):
    """A fixture file line that cannot be loaded."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}, line {line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


def _validators() -> dict[str, Any]:
    # The spec's own schemas decide what a valid fixture is; imported lazily because
    # only loading fixtures needs jsonschema.
    from chatkit_threads_contract.spec import schema_validator

    return {
        obj: schema_validator({"$ref": f"#/components/schemas/{name}"})
        for obj, name in _SCHEMAS.items()
    }


def load_fixtures(store: ThreadStore, api_key: str, path: str | Path) -> tuple[int, int]:
    """Load a JSONL file into the key's project; return (threads, items) loaded."""
    project = project_for_key(api_key)
    validators = _validators()
    threads: dict[str, dict[str, Any]] = {}
    items: dict[str, dict[str, Any]] = {}
    name = str(path)
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise FixtureError(name, number, f"not JSON ({error.msg})") from None
            if not isinstance(record, dict):
                raise FixtureError(name, number, "expected a JSON object")
            kind = record.get("object")
            if kind not in validators:
                raise FixtureError(
                    name, number, f"'object' must be one of {sorted(validators)}, got {kind!r}"
                )
            problem = next(iter(validators[kind].iter_errors(record)), None)
            if problem is not None:
                where = "/".join(str(p) for p in problem.absolute_path) or "(root)"
                raise FixtureError(name, number, f"at {where}: {problem.message}")
            record_id = record["id"]
            if record_id in threads or record_id in items:
                raise FixtureError(name, number, f"id {record_id!r} appears twice in the file")
            if kind == "chatkit.thread":
                if store.has_thread(record_id):
                    raise FixtureError(name, number, f"thread {record_id!r} is already stored")
                threads[record_id] = record
            else:
                if store.has_item(record_id):
                    raise FixtureError(name, number, f"item {record_id!r} is already stored")
                parent = record["thread_id"]
                if parent not in threads and store.get_thread(project, parent) is None:
                    raise FixtureError(
                        name,
                        number,
                        f"item {record_id!r}: thread {parent!r} is neither earlier in the file "
                        "nor stored for this key",
                    )
                items[record_id] = record
    store.add(project, threads.values(), items.values())
    return len(threads), len(items)
