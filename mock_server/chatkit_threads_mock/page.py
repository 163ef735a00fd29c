"""A page of a listing, its cursor error, and the values a record is listed by."""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from chatkit_threads_spec import load_spec

__all__ = [
    "PAGE_DEFAULTS",
    "SORT_KEY_MAX",
    "SORT_KEY_MIN",
    "Page",
    "UnknownCursor",
    "dumps",
    "read_page",
    "sort_key",
    "with_defaults",
]

SORT_KEY_MAX = 2**63 - 1
SORT_KEY_MIN = -(2**63)
"""The range of SQLite's integers: the `created_at` column a listing is ordered by."""


def sort_key(record: dict[str, Any]) -> int:
    """The `created_at` a record is listed by, as SQLite can store it.

    The spec bounds no integer, so a valid record may have a `created_at` of any size:
    beyond 64 bits it sorts with the largest (or smallest) 64-bit value, ties broken by
    id, and its body keeps the exact number. A missing or non-integer one (a drifting
    record) sorts as 0.
    """
    created = record.get("created_at")
    if type(created) is not int:
        return 0
    return min(max(created, SORT_KEY_MIN), SORT_KEY_MAX)


class UnknownCursor(LookupError):
    """An `after`/`before` id that names nothing in the listing."""

    def __init__(self, param: str, value: str) -> None:
        super().__init__(f"{param}={value!r} is not an id in this listing")
        self.param = param
        self.value = value


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing: ids and JSON bodies in list order, and `has_more`."""

    ids: list[str]
    bodies: list[str]
    has_more: bool

    def to_json(self) -> str:
        """The list envelope, as the API sends it."""
        first = _json_string(self.ids[0]) if self.ids else "null"
        last = _json_string(self.ids[-1]) if self.ids else "null"
        more = "true" if self.has_more else "false"
        return (
            f'{{"object":{_list_object()},"data":[{",".join(self.bodies)}],'
            f'"first_id":{first},"last_id":{last},"has_more":{more}}}'
        )


def _json_string(text: str) -> str:
    """`json.dumps(text)`, without its cost for a plain id (nothing to escape)."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return json.dumps(text)


@functools.cache
def _list_object() -> str:
    """The list envelope's `object`, from the spec, as JSON."""
    return json.dumps(load_spec().list_object)


def _page_defaults() -> dict[str, Any]:
    # The spec's defaults of the listings' query parameters (a listing called from
    # Python without them gets what an HTTP request without them gets).
    found: dict[str, Any] = {}
    for operation in load_spec().operations:
        if operation.paginated:
            for parameter in operation.query:
                found.setdefault(parameter.python_name, parameter.default)
    return found


PAGE_DEFAULTS = _page_defaults()


def with_defaults(limit: int | None, order: str | None) -> tuple[int, str]:
    """`limit` and `order`, the spec's defaults where None."""
    return (
        PAGE_DEFAULTS["limit"] if limit is None else limit,
        PAGE_DEFAULTS["order"] if order is None else order,
    )


# SQL's sort directions: whether each sorts descending.
_SQL_DIRECTIONS = {"ASC": False, "DESC": True}
"""The defaults of the spec's listing parameters, by name (`limit`, `order`...)."""


def read_page(
    db: sqlite3.Connection,
    table: str,
    scope: str,
    args: list[Any],
    *,
    limit: int,
    order: str,
    after: str | None,
    before: str | None,
) -> Page:
    """Keyset pagination over `(created_at, id)`, in one snapshot `db`.

    `after=X` gives the entries that follow X in list order; `before=X` the ones that
    precede it, nearest first when reading backwards, returned in list order (the
    previous page). With both, the entries strictly between them. `has_more` says
    whether entries remain beyond the page in the direction of reading.
    """
    # The spec's `order` values name SQL's sort directions.
    descending = _SQL_DIRECTIONS.get(order.upper())
    if descending is None:
        raise ValueError(f"order: {order[:40]!r} is not a sort direction")
    # In list order, "follows" means smaller keys descending, larger keys ascending.
    follows, precedes = ("<", ">") if descending else (">", "<")
    where = [scope]
    params = list(args)
    if after:
        params += _position(db, table, scope, args, "after", after)
        where.append(f"(created_at, id) {follows} (?, ?)")
    if before:
        params += _position(db, table, scope, args, "before", before)
        where.append(f"(created_at, id) {precedes} (?, ?)")
    # Reading backwards from `before` (and not forwards from `after`) walks the
    # index the other way, then the page is flipped back into list order.
    backwards = bool(before) and not after
    direction = "DESC" if descending != backwards else "ASC"
    rows = db.execute(
        f"SELECT id, body FROM {table} WHERE {' AND '.join(where)} "
        f"ORDER BY created_at {direction}, id {direction} LIMIT ?",
        [*params, limit + 1],
    ).fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    return Page([r[0] for r in rows], [r[1] for r in rows], has_more)


def _position(
    db: sqlite3.Connection, table: str, scope: str, args: list[Any], param: str, value: str
) -> Any:
    """`(created_at, id)` of the cursor `value` in the listing; UnknownCursor if none."""
    # A deleted thread keeps its place (same columns, so the same scope applies).
    tables = [table, "deleted_threads"] if table == "threads" else [table]
    for name in tables:
        row = db.execute(
            f"SELECT created_at, id FROM {name} WHERE {scope} AND id = ?", [*args, value]
        ).fetchone()
        if row is not None:
            return row
    raise UnknownCursor(param, value)


def dumps(value: dict[str, Any]) -> str:
    """A body as the API writes JSON (compact, UTF-8 kept; a lone surrogate escaped)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate is no UTF-8 text: kept as the `\ud800` escape it came as.
            return json.dumps(value, separators=(",", ":"))
    return text
