"""A database file of the mock: its tables, and the checks before one is used.

A file must be new, empty or one of this mock's databases (`APPLICATION_ID`, or exactly
the tables an older version made), pass `PRAGMA quick_check` and be writable; anything
else is refused with a `StoreOpenError` naming it, and a file that is not ours is left
untouched.
"""

from __future__ import annotations

import re
import sqlite3

__all__ = ["APPLICATION_ID", "BUSY_CODES", "SCHEMA", "StoreOpenError", "open_file"]

APPLICATION_ID = 0x434B5448
"""`PRAGMA application_id` of the mock's database files ("CKTH")."""

BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
"""SQLite's error codes for "another connection holds the lock"."""

SCHEMA = """
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

# The startup writes (schema, seed) may wait longer than a request: another server on
# the same file may be seeding it.
_STARTUP_TIMEOUT = 30.0
_TABLES = frozenset(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA))


class StoreOpenError(RuntimeError):
    """A database file that cannot be served; the message names the file and why."""


def open_file(path: str) -> sqlite3.Connection:
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
            for statement in filter(str.strip, SCHEMA.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    except sqlite3.OperationalError as error:
        if getattr(error, "sqlite_errorcode", None) in BUSY_CODES:
            reason = f"another process held its write lock for {_STARTUP_TIMEOUT:g} s"
        else:
            reason = f"{error}; the mock needs to write to it and to its folder"
        raise StoreOpenError(f"{path}: cannot write to the database ({reason})") from None
    except sqlite3.DatabaseError as error:
        raise StoreOpenError(f"{path}: cannot write to the database ({error})") from None
