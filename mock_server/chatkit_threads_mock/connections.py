"""SQLite's failures as the mock's errors, and the read contexts of a `ThreadStore`.

A write that cannot get the file's lock in time is `DatabaseBusy` (answered 503 with
`Retry-After`); a write the disk has no room for is `StoreFull` (answered 507
`storage_full`). Both stay `sqlite3.OperationalError`s, so code that catches SQLite's
errors still does.
"""

from __future__ import annotations

import errno
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from .sqlite_file import BUSY_CODES

__all__ = [
    "BUSY",
    "DEFAULT_LOCK_TIMEOUT",
    "DatabaseBusy",
    "Joined",
    "MemoryRead",
    "StoreFull",
    "is_full",
    "sqlite_errors",
]

DEFAULT_LOCK_TIMEOUT = 2.0
"""Seconds a request waits for the database's write lock before a 503."""

BUSY = "the database is locked: another connection holds its write lock"


class DatabaseBusy(sqlite3.OperationalError):
    """Another connection held the database's write lock for longer than `lock_timeout`.

    The mock answers it with a 503 and `Retry-After`, which clients retry.
    """


class StoreFull(sqlite3.OperationalError):
    """The database could not grow: its disk is full (or its size limit reached).

    Nothing of the failed write was kept (its transaction rolled back); reads go on.
    """


def is_full(error: BaseException) -> bool:
    """Whether `error` says the disk (or the database's size limit) is full."""
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


@contextmanager
def sqlite_errors() -> Iterator[None]:
    """Turns SQLite's "database is locked" into `DatabaseBusy`, a full disk into `StoreFull`."""
    try:
        yield
    except (DatabaseBusy, StoreFull):
        raise
    except (sqlite3.OperationalError, OSError) as error:
        if is_full(error):
            raise StoreFull(f"the database is out of space ({error})") from error
        if getattr(error, "sqlite_errorcode", None) not in BUSY_CODES:
            raise
        raise DatabaseBusy(BUSY) from error


# Class-based, not @contextmanager: in memory these are entered several times per
# request, and a generator costs more than the work they do.
class Joined(AbstractContextManager[sqlite3.Connection]):
    """The connection the thread already reads or writes with; nothing to undo."""

    __slots__ = ("_db",)

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        return self._db

    def __exit__(self, *exc: object) -> None:
        return None


class MemoryRead(AbstractContextManager[sqlite3.Connection]):
    """An in-memory store's one connection, under its lock; with `snapshot`, nested
    reads of the same thread join it (through `local.db`)."""

    __slots__ = ("_db", "_local", "_lock", "_snapshot")

    def __init__(
        self,
        db: sqlite3.Connection,
        lock: threading.RLock,
        local: threading.local,
        *,
        snapshot: bool,
    ) -> None:
        self._db = db
        self._lock = lock
        self._local = local
        self._snapshot = snapshot

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        if self._snapshot:
            self._local.db = self._db
        return self._db

    def __exit__(self, *exc: object) -> None:
        if self._snapshot:
            self._local.db = None
        self._lock.release()
