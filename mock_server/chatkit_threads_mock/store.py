"""Thread and item storage in SQLite, with keyset pagination.

Each row keeps the exact JSON body the API returns, so a page is assembled by joining
stored strings: no per-request re-serialisation. Ordering is by `(created_at, id)`;
every page query is an index range scan of at most `limit + 1` rows, whatever the
table size (never OFFSET).
"""

from __future__ import annotations

import functools
import hashlib
import json
import queue
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "APPLICATION_ID",
    "DEFAULT_LOCK_TIMEOUT",
    "DatabaseBusy",
    "Page",
    "StoreOpenError",
    "ThreadStore",
    "UnknownCursor",
    "project_for_key",
]

Order = Literal["asc", "desc"]

_SCHEMA = """
-- Rows are stored in list order (the primary key is the listing's keyset), so a page is
-- one contiguous range of the table, bodies included: no lookup per row from an index
-- into the table, which at 1M rows were cache misses that grew p99 with the data.
CREATE TABLE IF NOT EXISTS threads (
    id          TEXT NOT NULL UNIQUE,
    project     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    user        TEXT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (project, created_at, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS threads_by_user ON threads (project, user, created_at, id);
CREATE TABLE IF NOT EXISTS items (
    id          TEXT NOT NULL UNIQUE,
    thread_id   TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (thread_id, created_at, id)
) WITHOUT ROWID;
-- Where deleted threads stood, so their ids stay valid cursors: a client that deletes
-- each thread of a page and then asks for `after=<last_id>` gets the next page.
CREATE TABLE IF NOT EXISTS deleted_threads (
    id          TEXT PRIMARY KEY,
    project     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    user        TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS seeds (
    project     TEXT NOT NULL,
    name        TEXT NOT NULL,
    PRIMARY KEY (project, name)
) WITHOUT ROWID;
"""


def project_for_key(api_key: str) -> str:
    """The project an API key belongs to; the raw key is never stored."""
    return "proj_" + hashlib.sha256(api_key.encode()).hexdigest()[:16]


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


class DatabaseBusy(sqlite3.OperationalError):
    """Another connection held the database's write lock for longer than `lock_timeout`.

    The mock answers it with a 503 and `Retry-After`, which clients retry.
    """


class StoreOpenError(RuntimeError):
    """A database file that cannot be served; the message names the file and why."""


DEFAULT_LOCK_TIMEOUT = 2.0
"""Seconds a request waits for the database's write lock before a 503."""

APPLICATION_ID = 0x434B5448
"""`PRAGMA application_id` of the mock's database files ("CKTH")."""

# The startup writes (schema, seed) may wait longer than a request: another server on
# the same file may be seeding it.
_STARTUP_TIMEOUT = 30.0
# Seconds of each of SQLite's waits for the write lock, between which a write checks
# its deadline and whether the store is closing.
_BUSY_STEP = 0.1
_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
_TABLES = frozenset(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", _SCHEMA))


class ThreadStore:
    """Threads and their items per project, in SQLite (in memory, or a file).

    Safe to share between threads. Writes go through one connection guarded by a lock,
    each delete in a single transaction, so readers never see half a delete. A file is
    in WAL mode and its reads use their own connections, so they keep flowing while a
    write waits; several processes may share one file. A write that cannot get the
    write lock within `lock_timeout` seconds raises `DatabaseBusy`.

    A file is checked before it is used: it must be new, empty or one of this mock's
    databases (`APPLICATION_ID`, or the tables an older version made), pass `PRAGMA
    quick_check` and be writable; otherwise `StoreOpenError` names it, and a file that
    is not ours is left untouched.
    """

    def __init__(
        self, db_path: str | Path | None = None, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    ) -> None:
        if not lock_timeout > 0 or lock_timeout == float("inf"):
            raise ValueError(
                f"lock_timeout: expected a positive number of seconds, got {lock_timeout}"
            )
        self.db_path = str(db_path) if db_path else ":memory:"
        self.lock_timeout = float(lock_timeout)
        self._memory = self.db_path == ":memory:"
        self._lock = threading.RLock()
        # The connection a thread is inside a snapshot or transaction of, so nested
        # reads join it.
        self._local = threading.local()
        self._readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._all_readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._closing = False
        self._closed = False
        if self._memory:
            self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            # Larger pages: a page of a listing at any depth of a million rows spans fewer
            # B-tree pages (the 1M-vs-10k latency target of issue 15).
            self._db.execute("PRAGMA page_size = 16384")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.executescript(_SCHEMA)
        else:
            self._db = _open_file(self.db_path)
            step = min(self.lock_timeout, _BUSY_STEP)
            self._db.execute(f"PRAGMA busy_timeout = {max(1, round(step * 1000))}")

    @property
    def blocking(self) -> bool:
        """Whether a call may wait on another process (a file): run it off the event loop."""
        return not self._memory

    def stop_waiting(self) -> None:
        """Make writes waiting for the file's lock give up (`DatabaseBusy`), and new ones.

        For a server that is stopping: its open requests end within a moment instead of
        each waiting out `lock_timeout`.
        """
        self._closing = True

    def close(self) -> None:
        """Close the database connections (a write waiting for the lock gives up first)."""
        self.stop_waiting()
        with self._lock:
            self._closed = True
            self._db.close()
        with self._readers_lock:
            for reader in self._all_readers:
                reader.close()

    # -- connections -------------------------------------------------------------

    def _reader(self) -> sqlite3.Connection:
        if self._closed:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        try:
            return self._readers.get_nowait()
        except queue.Empty:
            pass
        reader = sqlite3.connect(
            self.db_path, check_same_thread=False, isolation_level=None, timeout=self.lock_timeout
        )
        reader.execute("PRAGMA query_only = ON")
        # Not `_lock`: a write waiting for the file's lock holds that one.
        with self._readers_lock:
            self._all_readers.append(reader)
        return reader

    def _reading(self) -> AbstractContextManager[sqlite3.Connection]:
        """A connection to read with: the thread's open one, else one of the pool."""
        current: sqlite3.Connection | None = getattr(self._local, "db", None)
        if current is not None:
            return _Joined(current)
        if self._memory:
            return _MemoryRead(self, snapshot=False)
        return self._file_reading()

    @contextmanager
    def _file_reading(self) -> Iterator[sqlite3.Connection]:
        reader = self._reader()
        try:
            with _busy_as_error():
                yield reader
        finally:
            if reader.in_transaction:
                reader.execute("ROLLBACK")
            self._readers.put(reader)

    # -- writing -----------------------------------------------------------------
    def add(
        self,
        project: str,
        threads: Iterable[dict[str, Any]],
        items: Iterable[dict[str, Any]] = (),
        *,
        seed: str | None = None,
    ) -> bool:
        """Insert threads and items in one transaction (all or nothing).

        With `seed`, the insert happens once per database: a file database keeps its
        data across restarts, and a restart must not bring back threads deleted since.
        Returns False when that seed was already applied.
        """
        thread_rows = ((t["id"], project, t["created_at"], t["user"], _dumps(t)) for t in threads)
        item_rows = ((i["id"], i["thread_id"], i["created_at"], _dumps(i)) for i in items)
        return self.add_rows(thread_rows, item_rows, project=project, seed=seed)

    def add_rows(
        self,
        thread_rows: Iterable[tuple[str, str, int, str, str]],
        item_rows: Iterable[tuple[str, str, int, str]],
        *,
        project: str = "",
        seed: str | None = None,
    ) -> bool:
        """Bulk insert pre-serialised rows; see `add` for `seed`."""
        with self.transaction() as db:
            if seed is not None:
                marked = db.execute("INSERT OR IGNORE INTO seeds VALUES (?, ?)", (project, seed))
                if marked.rowcount == 0:
                    return False
            db.executemany("INSERT INTO threads VALUES (?, ?, ?, ?, ?)", thread_rows)
            db.executemany("INSERT INTO items VALUES (?, ?, ?, ?)", item_rows)
        return True

    class _Transaction:
        def __init__(self, store: ThreadStore) -> None:
            self.store = store

        def __enter__(self) -> sqlite3.Connection:
            store = self.store
            deadline = time.monotonic() + store.lock_timeout
            if store._closing or not store._lock.acquire(timeout=store.lock_timeout):
                raise DatabaseBusy(_BUSY)
            # Released on every failure below: a lock leaked here would hang `close()`.
            try:
                store._begin_immediate(deadline)
            except BaseException:
                store._lock.release()
                raise
            store._local.db = store._db
            return store._db

        def __exit__(self, kind: object, error: object, tb: object) -> None:
            db = self.store._db
            try:
                if error is None:
                    try:
                        with _busy_as_error():
                            db.execute("COMMIT")
                    except BaseException:
                        if db.in_transaction:
                            db.execute("ROLLBACK")
                        raise
                elif db.in_transaction:
                    db.execute("ROLLBACK")
            finally:
                self.store._local.db = None
                self.store._lock.release()

    def _begin_immediate(self, deadline: float) -> None:
        # IMMEDIATE takes the write lock up front, so two processes sharing a file
        # cannot both read a thread as present and then both "delete" it. SQLite waits
        # for the lock in short steps (its busy timeout), so that `close()` can stop
        # the wait: a busy wait cannot be interrupted.
        while True:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if getattr(error, "sqlite_errorcode", None) not in _BUSY_CODES:
                    raise
                if self._closing or time.monotonic() >= deadline:
                    raise DatabaseBusy(_BUSY) from error

    def transaction(self) -> ThreadStore._Transaction:
        """A write transaction: commits on success, rolls back on any exception."""
        return ThreadStore._Transaction(self)

    def snapshot(self) -> AbstractContextManager[sqlite3.Connection]:
        """Reads that see one state of the database (nests; joins an open transaction).

        A page takes several queries (the thread, the cursor's position, the rows); on a
        file shared with another process, a delete landing between them would otherwise
        give a thread that exists and then has no items.
        """
        current: sqlite3.Connection | None = getattr(self._local, "db", None)
        if current is not None:
            return _Joined(current)
        if self._memory:
            # One connection, held under `_lock` for the whole block: no other
            # statement can run in between, so no transaction is needed.
            return _MemoryRead(self, snapshot=True)
        return self._file_snapshot()

    @contextmanager
    def _file_snapshot(self) -> Iterator[sqlite3.Connection]:
        with self._file_reading() as db:
            db.execute("BEGIN")
            self._local.db = db
            try:
                yield db
            finally:
                self._local.db = None
                db.execute("COMMIT")

    def has_thread(self, thread_id: str) -> bool:
        """Whether a thread with this id exists in any project."""
        return self._exists("threads", thread_id)

    def has_item(self, item_id: str) -> bool:
        """Whether an item with this id exists in any thread."""
        return self._exists("items", item_id)

    def _exists(self, table: str, row_id: str) -> bool:
        with self._reading() as db:
            row = db.execute(f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)).fetchone()
        return row is not None

    # -- the four operations -----------------------------------------------------

    def get_thread(self, project: str, thread_id: str) -> str | None:
        """The thread's JSON body, or None when the project has no such thread."""
        with self._reading() as db:
            row = db.execute(
                "SELECT body FROM threads WHERE id = ? AND project = ?", (thread_id, project)
            ).fetchone()
        return None if row is None else str(row[0])

    def delete_thread(self, project: str, thread_id: str) -> bool:
        """Delete the thread and all its items at once; False when there was none."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO deleted_threads "
                "SELECT id, project, created_at, user FROM threads WHERE id = ? AND project = ?",
                (thread_id, project),
            )
            deleted = db.execute(
                "DELETE FROM threads WHERE id = ? AND project = ?", (thread_id, project)
            ).rowcount
            if deleted:
                # The foreign key cascades too; deleting explicitly keeps that true even
                # for a database opened without `foreign_keys`.
                db.execute("DELETE FROM items WHERE thread_id = ?", (thread_id,))
        return bool(deleted)

    def list_threads(
        self,
        project: str,
        *,
        limit: int = 20,
        order: Order = "desc",
        after: str | None = None,
        before: str | None = None,
        user: str | None = None,
    ) -> Page:
        """A page of the project's threads, optionally only one user's."""
        scope, args = (
            ("project = ? AND user = ?", [project, user])
            if user
            else (
                "project = ?",
                [project],
            )
        )
        return self._page(
            "threads", scope, args, limit=limit, order=order, after=after, before=before
        )

    def list_items(
        self,
        project: str,
        thread_id: str,
        *,
        limit: int = 20,
        order: Order = "desc",
        after: str | None = None,
        before: str | None = None,
    ) -> Page | None:
        """A page of a thread's items, or None when the project has no such thread."""
        with self.snapshot():
            if self.get_thread(project, thread_id) is None:
                return None
            return self._page(
                "items",
                "thread_id = ?",
                [thread_id],
                limit=limit,
                order=order,
                after=after,
                before=before,
            )

    # -- pagination --------------------------------------------------------------

    def _position(
        self,
        db: sqlite3.Connection,
        table: str,
        scope: str,
        args: list[Any],
        param: str,
        value: str,
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

    def _page(
        self,
        table: str,
        scope: str,
        args: list[Any],
        *,
        limit: int,
        order: Order,
        after: str | None,
        before: str | None,
    ) -> Page:
        """Keyset pagination over `(created_at, id)`.

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
        with self.snapshot() as db:
            if after:
                params += self._position(db, table, scope, args, "after", after)
                where.append(f"(created_at, id) {follows} (?, ?)")
            if before:
                params += self._position(db, table, scope, args, "before", before)
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

    def iter_thread_ids(self, project: str) -> Iterator[str]:
        """Every thread id of a project, oldest first."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT id FROM threads WHERE project = ? ORDER BY created_at, id", (project,)
            ).fetchall()
        for row in rows:
            yield str(row[0])


# Class-based, not @contextmanager: in memory these are entered several times per
# request, and a generator costs more than the work they do.
class _Joined(AbstractContextManager[sqlite3.Connection]):
    """The connection the thread already reads or writes with; nothing to undo."""

    __slots__ = ("_db",)

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        return self._db

    def __exit__(self, *exc: object) -> None:
        return None


class _MemoryRead(AbstractContextManager[sqlite3.Connection]):
    """An in-memory store's one connection, under its lock; with `snapshot`, nested
    reads of the same thread join it."""

    __slots__ = ("_snapshot", "_store")

    def __init__(self, store: ThreadStore, *, snapshot: bool) -> None:
        self._store = store
        self._snapshot = snapshot

    def __enter__(self) -> sqlite3.Connection:
        store = self._store
        store._lock.acquire()
        if self._snapshot:
            store._local.db = store._db
        return store._db

    def __exit__(self, *exc: object) -> None:
        store = self._store
        if self._snapshot:
            store._local.db = None
        store._lock.release()


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_BUSY = "the database is locked: another connection holds its write lock"


@contextmanager
def _busy_as_error() -> Iterator[None]:
    """Turns SQLite's "database is locked" into `DatabaseBusy`."""
    try:
        yield
    except sqlite3.OperationalError as error:
        if isinstance(error, DatabaseBusy) or getattr(error, "sqlite_errorcode", None) not in (
            _BUSY_CODES
        ):
            raise
        raise DatabaseBusy(_BUSY) from error


def _open_file(path: str) -> sqlite3.Connection:
    """The write connection to a database file, after checking the file is ours and sound."""
    try:
        db = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=_STARTUP_TIMEOUT
        )
    except sqlite3.Error as error:
        raise StoreOpenError(f"{path}: cannot open the database file ({error})") from None
    try:
        _check_file(db, path)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        db.close()
        raise
    return db


def _check_file(db: sqlite3.Connection, path: str) -> None:
    """Refuse a file that is not ours, damaged or read-only; then set ours up."""
    try:
        application_id = int(db.execute("PRAGMA application_id").fetchone()[0])
        tables = {
            str(row[0]) for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    except sqlite3.DatabaseError as error:
        raise StoreOpenError(f"{path}: cannot read the database file ({error})") from None
    # A file an older version made has our tables and no application id.
    ours = application_id == APPLICATION_ID or (
        application_id == 0 and (not tables or tables == _TABLES)
    )
    if not ours:
        found = ", ".join(sorted(tables)) or "none"
        raise StoreOpenError(
            f"{path}: not a database of this mock server (application_id {application_id:#x}, "
            f"tables: {found}); it was left unchanged, use another --db file"
        )
    try:
        problems = [str(row[0]) for row in db.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as error:
        problems = [str(error)]
    if problems != ["ok"]:
        raise StoreOpenError(
            f"{path}: the database is damaged (quick_check: {'; '.join(problems)[:300]}); "
            "restore it from a copy or start from a new file"
        )
    try:
        # A real write, so a read-only file or folder is refused now, not on the first
        # DELETE; it also stamps the file as ours.
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    except sqlite3.OperationalError as error:
        if getattr(error, "sqlite_errorcode", None) in _BUSY_CODES:
            reason = f"another process held its write lock for {_STARTUP_TIMEOUT:g} s"
        else:
            reason = f"{error}; the mock needs to write to it and to its folder"
        raise StoreOpenError(f"{path}: cannot write to the database ({reason})") from None
    except sqlite3.DatabaseError as error:
        raise StoreOpenError(f"{path}: cannot write to the database ({error})") from None
