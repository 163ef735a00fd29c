"""The mock under contention, hostile headers and bad database files (issue #14).

Each runs the real thing: `chatkit-threads-mock serve` in its own process on a real
SQLite file, and another process holding that file's write lock. Waits are bounded
(short lock and request timeouts, client timeouts) so a regression fails instead of
hanging, and nothing asserts how long anything took.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from chatkit_threads_mock import DEFAULT_API_KEY, MockServer, ThreadStore
from chatkit_threads_mock.cli import main
from tests.spec_facts import api_headers, raw_api_headers

from .conftest import HEADERS
from .conftest import serving as serve_process

SEEDED_THREAD = "cthr_a40d88dc0001"
SERVE = [sys.executable, "-m", "chatkit_threads_mock", "serve", "--port", "0"]


@contextmanager
def serving(db: Path, *options: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`chatkit-threads-mock serve --db DB` in its own process: (process, base URL)."""
    with serve_process("--db", str(db), *options) as served:
        yield served.process, served.base_url


@contextmanager
def write_lock_held(db: Path) -> Iterator[None]:
    """Another process holds `BEGIN IMMEDIATE` on `db` until the block ends."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('BEGIN IMMEDIATE')\n"
            "print('held', flush=True)\n"
            "sys.stdin.read()\n"
            "db.execute('ROLLBACK')\n",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "shared.db"
    assert main(["load", "--db", str(path)]) == 0
    return path


# -- 1. SIGTERM after "database is locked" ------------------------------------------


def test_sigterm_after_a_locked_delete_stops_the_server(db: Path) -> None:
    with serving(db, "--seed", "none", "--lock-timeout", "0.3") as (process, base_url):
        with write_lock_held(db):
            response = httpx.delete(
                f"{base_url}/chatkit/threads/{SEEDED_THREAD}", headers=HEADERS, timeout=10
            )
            assert response.status_code == 503
            process.send_signal(signal.SIGTERM)
            # The failed BEGIN IMMEDIATE left no lock behind for close() to wait on.
            assert process.wait(timeout=10) == 0
        assert process.stderr is not None and "Traceback" not in process.stderr.read()


def test_stop_after_a_locked_delete_returns(db: Path) -> None:
    server = MockServer(db_path=str(db), seed="none", lock_timeout=0.3).start()
    with write_lock_held(db):
        url = f"{server.base_url}/chatkit/threads/{SEEDED_THREAD}"
        assert httpx.delete(url, headers=HEADERS, timeout=10).status_code == 503
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(timeout=15)
    assert not stopper.is_alive()


# -- 2. contention: prompt 503s, reads keep flowing ---------------------------------


def test_a_busy_database_is_a_503_with_retry_after(db: Path) -> None:
    with serving(db, "--seed", "none", "--lock-timeout", "0.3") as (_, base_url):
        with write_lock_held(db):
            response = httpx.delete(
                f"{base_url}/chatkit/threads/{SEEDED_THREAD}", headers=HEADERS, timeout=10
            )
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/json"
        assert float(response.headers["retry-after"]) > 0
        assert int(response.headers["retry-after-ms"]) > 0
        error = response.json()["error"]
        assert (error["type"], error["code"]) == ("server_error", "database_busy")
        assert "Traceback" not in response.text
        # Nothing was deleted; once the lock is free the same request succeeds.
        again = httpx.delete(
            f"{base_url}/chatkit/threads/{SEEDED_THREAD}", headers=HEADERS, timeout=10
        )
        assert again.status_code == 200


def test_reads_flow_while_a_delete_waits_for_the_lock(db: Path) -> None:
    # The delete may wait up to 20 s for the lock; the reads are answered meanwhile.
    with serving(db, "--seed", "none", "--lock-timeout", "20") as (_, base_url):
        deleted: list[httpx.Response] = []
        with write_lock_held(db):
            deleter = threading.Thread(
                target=lambda: deleted.append(
                    httpx.delete(
                        f"{base_url}/chatkit/threads/{SEEDED_THREAD}", headers=HEADERS, timeout=30
                    )
                )
            )
            deleter.start()
            with httpx.Client(base_url=base_url, headers=HEADERS, timeout=5) as client:
                for _ in range(20):
                    page = client.get("/chatkit/threads", params={"limit": 100})
                    assert page.status_code == 200
                    thread = client.get(f"/chatkit/threads/{SEEDED_THREAD}")
                    assert thread.status_code == 200
                    items = client.get(f"/chatkit/threads/{SEEDED_THREAD}/items")
                    assert items.status_code == 200
            # Every read was answered while the delete was still waiting for the lock.
            assert deleter.is_alive() and not deleted
        deleter.join(timeout=30)
        assert [r.status_code for r in deleted] == [200]


def test_the_client_retries_a_busy_database(db: Path) -> None:
    from chatkit_threads import ChatKit

    statuses: list[int] = []
    released = threading.Event()

    with serving(db, "--seed", "none", "--lock-timeout", "0.2") as (_, base_url):
        holder = write_lock_held(db)
        holder.__enter__()

        def release_after_the_first_answer(response: httpx.Response) -> None:
            statuses.append(response.status_code)
            if not released.is_set():
                released.set()
                holder.__exit__(None, None, None)

        http = httpx.Client(event_hooks={"response": [release_after_the_first_answer]})
        try:
            client = ChatKit(
                api_key=DEFAULT_API_KEY, base_url=base_url, http_client=http, max_retries=3
            )
            deleted = client.threads.delete(SEEDED_THREAD)
        finally:
            if not released.is_set():
                holder.__exit__(None, None, None)
            http.close()
    assert deleted.deleted is True
    assert statuses == [503, 200]


# -- 3. faults only after auth, bounded ----------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


@pytest.mark.parametrize(
    "faults", ["latency=inf", "500=1", "503=1", "retry-after=inf,429=1", "drop=1", "nonsense"]
)
def test_faults_need_a_valid_key(server: MockServer, faults: str) -> None:
    for headers in ({}, api_headers("sk-wrong")):
        response = httpx.get(
            server.base_url + "/chatkit/threads",
            headers=headers | {"X-Mock-Faults": faults},
            timeout=5,
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] in (None, "invalid_api_key")


def test_server_wide_faults_need_a_valid_key_too() -> None:
    with MockServer(faults="500=1") as failing:
        url = failing.base_url + "/chatkit/threads"
        assert httpx.get(url, timeout=5).status_code == 401
        assert httpx.get(url, headers=HEADERS, timeout=5).status_code == 500


@pytest.mark.parametrize(
    "faults",
    [
        "latency=inf",
        "latency=nan",
        "latency=31s",
        "latency=1e308",
        "retry-after=inf,429=1",
        "retry-after=1e308,429=1",
        "retry-after=3601,429=1",
        "500=nan",
        "seed=" + "9" * 5000,
        "seed=-1",
        "seed=1.5",
        "latency=1ms,latency=2ms",
    ],
)
def test_an_unbounded_fault_value_is_a_400(server: MockServer, faults: str) -> None:
    response = httpx.get(
        server.base_url + "/chatkit/threads",
        headers=HEADERS | {"X-Mock-Faults": faults},
        timeout=5,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["param"], error["code"]) == ("x-mock-faults", "invalid_faults")
    assert len(error["message"]) < 300


def test_fault_caps_are_inclusive(server: MockServer) -> None:
    response = httpx.get(
        server.base_url + "/chatkit/threads",
        headers=HEADERS | {"X-Mock-Faults": "429=1,retry-after=3600"},
        timeout=5,
    )
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3600"


# -- 4. startup checks ---------------------------------------------------------------


def _start_fails(db: Path, *options: str) -> str:
    """Serve `db`, expect exit code 2 before serving; return stderr."""
    result = subprocess.run(
        [*SERVE, "--db", str(db), *options],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert str(db) in result.stderr
    return result.stderr


@contextmanager
def _read_only(path: Path) -> Iterator[None]:
    """The file made read-only, for root too (which ignores file modes)."""
    os.chmod(path, 0o444)
    immutable = os.geteuid() == 0
    if immutable:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        os.chmod(path, 0o644)


def test_a_read_only_database_is_refused_at_startup(db: Path) -> None:
    with _read_only(db):
        stderr = _start_fails(db, "--seed", "none")
    assert "cannot write" in stderr and "readonly" in stderr


def test_a_damaged_database_is_refused_at_startup(db: Path) -> None:
    page_size = 4096
    data = bytearray(db.read_bytes())
    assert len(data) > 4 * page_size
    # Garbage over every page but the first (the header and schema stay readable).
    for page in range(1, len(data) // page_size):
        start = page * page_size + 100
        data[start : start + 200] = os.urandom(200)
    db.write_bytes(bytes(data))
    stderr = _start_fails(db, "--seed", "none")
    assert "damaged" in stderr or "cannot read" in stderr


def test_another_applications_database_is_left_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
    connection.execute("INSERT INTO accounts (name) VALUES ('alice')")
    connection.commit()
    connection.close()
    before = hashlib.sha256(other.read_bytes()).hexdigest()
    stderr = _start_fails(other)
    assert "not a database of this mock server" in stderr and "accounts" in stderr
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before
    # Still in its own journal mode: never switched to WAL.
    assert not (tmp_path / "other.db-wal").exists()
    assert other.read_bytes()[18:20] == b"\x01\x01"


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes, not a database\n" * 200)
    before = notes.read_bytes()
    assert "cannot read" in _start_fails(notes)
    assert notes.read_bytes() == before


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    assert "cannot open" in _start_fails(tmp_path / "no" / "such" / "x.db")


def test_a_database_from_an_older_version_is_accepted(tmp_path: Path) -> None:
    from chatkit_threads_mock.sqlite_file import APPLICATION_ID, SCHEMA

    legacy = tmp_path / "legacy.db"
    connection = sqlite3.connect(legacy)
    connection.executescript(SCHEMA)
    connection.close()
    with MockServer(db_path=str(legacy)) as served:
        page = httpx.get(served.base_url + "/chatkit/threads", headers=HEADERS, timeout=5)
        assert page.status_code == 200 and page.json()["data"]
    stamped = sqlite3.connect(legacy).execute("PRAGMA application_id").fetchone()[0]
    assert stamped == APPLICATION_ID


def test_a_port_in_use_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    with MockServer() as running:
        assert main(["serve", "--port", str(running.port)]) == 2
    assert f"127.0.0.1:{running.port}" in capsys.readouterr().err


# -- 5. HTTP edges -------------------------------------------------------------------


def test_head_is_not_an_operation(server: MockServer) -> None:
    for path in ("/chatkit/threads", f"/chatkit/threads/{SEEDED_THREAD}"):
        response = httpx.head(server.base_url + path, headers=HEADERS, timeout=5)
        assert response.status_code == 405
        allowed = {m.strip() for m in response.headers["allow"].split(",")}
        assert "HEAD" not in allowed and "GET" in allowed
    options = httpx.options(server.base_url + f"/chatkit/threads/{SEEDED_THREAD}", timeout=5)
    assert {m.strip() for m in options.headers["allow"].split(",")} == {"GET", "DELETE"}


def _parsers() -> list[str]:
    try:
        import httptools  # noqa: F401
    except ImportError:
        return ["h11"]
    return ["h11", "httptools"]


@pytest.fixture(scope="module", params=_parsers())
def impatient(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    with MockServer(request_timeout=0.5, http=request.param) as running:
        yield running


def _closed_by_server(sock: socket.socket) -> bool:
    """Whether the server ends the connection before the client's 10 s wait runs out."""
    sock.settimeout(10)
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_an_idle_connection_is_closed(impatient: MockServer) -> None:
    with socket.create_connection(("127.0.0.1", impatient.port)) as sock:
        assert _closed_by_server(sock)


def test_a_partial_request_is_closed(impatient: MockServer) -> None:
    with socket.create_connection(("127.0.0.1", impatient.port)) as sock:
        sock.sendall(b"GET /v1/chatkit/threads HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert _closed_by_server(sock)


def test_a_request_sent_a_byte_at_a_time_is_closed(impatient: MockServer) -> None:
    # About 10 s of bytes: well past the server's 0.5 s limit, bounded if it never acts.
    head = b"GET /v1/chatkit/threads HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 50
    closed = False
    with socket.create_connection(("127.0.0.1", impatient.port)) as sock:
        sock.settimeout(0.1)
        # A byte every 0.1 s keeps data coming; the server closes anyway.
        for byte in head:
            try:
                sock.sendall(bytes([byte]))
                if sock.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
    assert closed


def test_a_keep_alive_connection_serves_requests_within_the_limit(impatient: MockServer) -> None:
    with httpx.Client(base_url=impatient.base_url, headers=HEADERS, timeout=5) as client:
        for _ in range(5):
            assert client.get("/chatkit/threads").status_code == 200


def test_a_connection_busy_past_the_limit_is_kept_and_then_closed_when_idle(
    impatient: MockServer,
) -> None:
    # Each request is in well within 0.5 s, but the connection lives past several limits:
    # the clock of an answered request must not close it; the idle wait after must.
    request = (
        "GET /v1/chatkit/threads?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + raw_api_headers(impatient.api_key)
        + "\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", impatient.port), timeout=5) as sock:
        for _ in range(5):
            sock.sendall(request)
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            time.sleep(0.3)
        assert _closed_by_server(sock)


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /v1/chatkit/threads HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        # Never finished: the server must not buffer it without bound.
        b"GET /v1/chatkit/threads HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000,
    ],
    ids=["malformed", "endless-head"],
)
def test_uvicorn_answers_a_bad_request_with_a_plain_400(
    impatient: MockServer, request_bytes: bytes
) -> None:
    with socket.create_connection(("127.0.0.1", impatient.port), timeout=10) as sock:
        sock.sendall(request_bytes)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), data[:200]
    assert b"content-type: text/plain" in head.lower()
    assert body.startswith(b"Invalid HTTP request")


# -- the earlier results still hold ----------------------------------------------------


def test_kill_9_during_deletes_on_a_shared_file_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    assert main(["load", "--db", str(db), "--seed", "synthetic:400:2"]) == 0
    from chatkit_threads_mock import project_for_key

    project = project_for_key(DEFAULT_API_KEY)
    with sqlite3.connect(db) as connection:
        ids = [
            r[0] for r in connection.execute("SELECT id FROM threads WHERE project = ?", (project,))
        ]
    acknowledged: list[str] = []
    attempted: list[str] = []
    enough = threading.Event()

    def delete_all(base_url: str, mine: list[str]) -> None:
        with httpx.Client(base_url=base_url, headers=HEADERS, timeout=10) as client:
            for thread_id in mine:
                attempted.append(thread_id)
                try:
                    response = client.delete(f"/chatkit/threads/{thread_id}")
                except httpx.HTTPError:
                    return  # this server was killed
                assert response.status_code == 200, response.text
                acknowledged.append(thread_id)
                if len(acknowledged) >= 40:
                    enough.set()

    with (
        serving(db, "--seed", "none") as (victim, url_a),
        serving(db, "--seed", "none") as (_, url_b),
    ):
        deleters = [
            threading.Thread(target=delete_all, args=(url_a, ids[0::2])),
            threading.Thread(target=delete_all, args=(url_b, ids[1::2])),
        ]
        for deleter in deleters:
            deleter.start()
        assert enough.wait(timeout=60)
        victim.send_signal(signal.SIGKILL)
        for deleter in deleters:
            deleter.join(timeout=120)
    # The answer to a delete in flight at the kill was lost: it may or may not be done.
    in_flight = set(attempted) - set(acknowledged)
    with sqlite3.connect(db) as connection:
        remaining = {r[0] for r in connection.execute("SELECT id FROM threads")}
        orphans = connection.execute(
            "SELECT count(*) FROM items WHERE thread_id NOT IN (SELECT id FROM threads)"
        ).fetchone()[0]
        assert connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert not set(acknowledged) & remaining
    assert set(ids) - set(attempted) <= remaining
    assert len(in_flight) <= 1 and orphans == 0
    # The file serves again after the crash.
    with serving(db, "--seed", "none") as (_, base_url):
        page = httpx.get(base_url + "/chatkit/threads", headers=HEADERS, timeout=10)
        assert page.status_code == 200


def test_stop_does_not_wait_out_a_long_lock_timeout(db: Path) -> None:
    server = MockServer(db_path=str(db), seed="none", lock_timeout=120).start()
    answers: list[int] = []

    def delete() -> None:
        url = f"{server.base_url}/chatkit/threads/{SEEDED_THREAD}"
        try:
            answers.append(httpx.delete(url, headers=HEADERS, timeout=60).status_code)
        except httpx.HTTPError:
            answers.append(0)

    with write_lock_held(db):
        deleter = threading.Thread(target=delete)
        deleter.start()
        assert _write_in_progress(server.store)
        stopper = threading.Thread(target=server.stop)
        stopper.start()
        stopper.join(timeout=30)
        assert not stopper.is_alive()
        deleter.join(timeout=30)
    assert answers == [503]


def _write_in_progress(store: ThreadStore, within: float = 10.0) -> bool:
    """Whether a write takes the store's write lock (another thread's) within `within` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not store._lock.acquire(blocking=False):
            return True
        store._lock.release()
        time.sleep(0.01)
    return False


def test_a_failed_start_names_the_port_and_releases_the_database(db: Path) -> None:
    with MockServer() as running:
        blocked = MockServer(port=running.port, db_path=str(db), seed="none")
        with pytest.raises(OSError, match=f"127.0.0.1:{running.port}"):
            blocked.start()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        blocked.store.get_thread("proj", SEEDED_THREAD)
    with pytest.raises(RuntimeError, match="cannot start again"):
        blocked.start()


def test_a_bad_request_timeout_is_refused_before_the_database_is_opened(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="request_timeout"):
        MockServer(db_path=str(tmp_path / "never.db"), request_timeout=0)
    assert not (tmp_path / "never.db").exists()
