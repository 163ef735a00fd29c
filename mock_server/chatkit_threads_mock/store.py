"""Thread and item storage in SQLite, with keyset pagination.

Each row keeps the exact JSON body the API returns, so a page is assembled by joining
stored strings: no per-request re-serialisation. Ordering is by `(created_at, id)`;
every page query is an index range scan of at most `limit + 1` rows, whatever the
table size (never OFFSET).
"""

from __future__ import annotations

import hashlib
import queue
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from .connections import (
    BUSY,
    DEFAULT_LOCK_TIMEOUT,
    DatabaseBusy,
    Joined,
    MemoryRead,
    StoreFull,
    is_full,
    sqlite_errors,
)
from .page import Page, UnknownCursor, dumps, read_page, sort_key, with_defaults
from .sqlite_file import APPLICATION_ID, BUSY_CODES, SCHEMA, StoreOpenError, open_file

__all__ = [
    "APPLICATION_ID",
    "DEFAULT_LOCK_TIMEOUT",
    "DatabaseBusy",
    "Order",
    "Page",
    "StoreFull",
    "StoreOpenError",
    "ThreadStore",
    "UnknownCursor",
    "dumps",
    "project_for_key",
]

Order = str
"""A listing's order: one of the values of the spec's `order` parameter."""

# The spec's defaults of a listing's `limit` and `order`.
_DEFAULT_LIMIT, _DEFAULT_ORDER = with_defaults(None, None)

# Seconds of each of SQLite's waits for the write lock, between which a write checks
# its deadline and whether the store is closing.
_BUSY_STEP = 0.1


def project_for_key(api_key: str) -> str:
    """The project an API key belongs to; the raw key is never stored."""
    return "proj_" + hashlib.sha256(api_key.encode()).hexdigest()[:16]


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
            self._db.executescript(SCHEMA)
        else:
            self._db = open_file(self.db_path)
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
            return Joined(current)
        if self._memory:
            return MemoryRead(self._db, self._lock, self._local, snapshot=False)
        return self._file_reading()

    @contextmanager
    def _file_reading(self) -> Iterator[sqlite3.Connection]:
        reader = self._reader()
        try:
            with sqlite_errors():
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
        thread_rows = ((t["id"], project, sort_key(t), t["user"], dumps(t)) for t in threads)
        item_rows = ((i["id"], i["thread_id"], sort_key(i), dumps(i)) for i in items)
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
                raise DatabaseBusy(BUSY)
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
                        with sqlite_errors():
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
            if isinstance(error, BaseException) and is_full(error):
                # Rolled back above; said as what it is, not as SQLite's generic error.
                raise StoreFull(f"the database is out of space ({error})") from error

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
                if getattr(error, "sqlite_errorcode", None) not in BUSY_CODES:
                    raise
                if self._closing or time.monotonic() >= deadline:
                    raise DatabaseBusy(BUSY) from error

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
            return Joined(current)
        if self._memory:
            # One connection, held under `_lock` for the whole block: no other
            # statement can run in between, so no transaction is needed.
            return MemoryRead(self._db, self._lock, self._local, snapshot=True)
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
        limit: int = _DEFAULT_LIMIT,
        order: Order = _DEFAULT_ORDER,
        after: str | None = None,
        before: str | None = None,
        user: str | None = None,
    ) -> Page:
        """A page of the project's threads, optionally only one user's (spec defaults)."""
        scope = "project = ? AND user = ?" if user else "project = ?"
        args: list[Any] = [project, user] if user else [project]
        return self._page(
            "threads", scope, args, limit=limit, order=order, after=after, before=before
        )

    def list_items(
        self,
        project: str,
        thread_id: str,
        *,
        limit: int = _DEFAULT_LIMIT,
        order: Order = _DEFAULT_ORDER,
        after: str | None = None,
        before: str | None = None,
    ) -> Page | None:
        """A page of a thread's items (spec defaults); None when the project has no such
        thread."""
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
        """Keyset pagination over `(created_at, id)`: see `page.read_page`."""
        with self.snapshot() as db:
            return read_page(
                db, table, scope, args, limit=limit, order=order, after=after, before=before
            )

    def iter_thread_ids(self, project: str) -> Iterator[str]:
        """Every thread id of a project, oldest first."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT id FROM threads WHERE project = ? ORDER BY created_at, id", (project,)
            ).fetchall()
        for row in rows:
            yield str(row[0])
