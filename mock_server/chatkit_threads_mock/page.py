"""A page of a listing, and the cursor error of a listing."""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

__all__ = ["Page", "UnknownCursor", "read_page"]


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
    from .schema import list_object

    return json.dumps(list_object())


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
    descending = order == "desc"
    # In list order, "follows" means smaller keys for desc and larger keys for asc.
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
