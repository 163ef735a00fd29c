"""Hostile values and conditions: huge or odd fixture values, a full disk, a huge head (#25)."""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from chatkit_threads_mock import (
    DEFAULT_API_KEY,
    MockServer,
    ThreadStore,
    create_app,
    load_fixtures,
    project_for_key,
)
from chatkit_threads_mock.cli import main
from chatkit_threads_mock.protocol import MAX_REQUEST_HEAD
from tests.spec_facts import raw_api_headers

from .conftest import HEADERS

PROJECT = project_for_key(DEFAULT_API_KEY)
HUGE = 10**29 + 7  # 30 digits: valid per the spec, which bounds no integer
THREAD = {
    "id": "cthr_big",
    "object": "chatkit.thread",
    "created_at": HUGE,
    "title": "far future",
    "status": {"type": "active"},
    "user": "user_1",
}


def _write(path: Path, *lines: str | dict[str, object]) -> str:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def _listed(store: ThreadStore, **params: str) -> list[dict[str, object]]:
    app = create_app(store)
    with TestClient(app, base_url="http://127.0.0.1/v1", headers=HEADERS) as client:
        response = client.get("/chatkit/threads", params=params)
        assert response.status_code == 200
        data: list[dict[str, object]] = response.json()["data"]
        return data


def test_a_30_digit_created_at_is_stored_and_served_exactly(tmp_path: Path) -> None:
    small = dict(THREAD, id="cthr_small", created_at=1_700_000_000)
    negative = dict(THREAD, id="cthr_negative", created_at=-HUGE)
    fixtures = _write(tmp_path / "big.jsonl", THREAD, small, negative)
    store = ThreadStore()
    assert load_fixtures(store, DEFAULT_API_KEY, fixtures) == (3, 0)
    newest_first = _listed(store)
    # Beyond 64 bits it sorts with the largest (smallest) 64-bit value; the body is exact.
    assert [t["id"] for t in newest_first] == ["cthr_big", "cthr_small", "cthr_negative"]
    assert newest_first[0]["created_at"] == HUGE
    assert newest_first[2]["created_at"] == -HUGE
    # The huge thread is a cursor like any other.
    after = _listed(store, after="cthr_big")
    assert [t["id"] for t in after] == ["cthr_small", "cthr_negative"]


def test_load_and_serve_accept_a_30_digit_created_at(tmp_path: Path) -> None:
    fixtures = _write(tmp_path / "big.jsonl", THREAD)
    db = str(tmp_path / "mock.db")
    assert main(["load", "--db", db, "--seed", "none", "--fixtures", fixtures]) == 0
    with MockServer(db_path=db, seed="none") as server:
        assert server.store.get_thread(PROJECT, "cthr_big") is not None
    app = create_app(seed="none", fixtures=[fixtures], allow_drift=True)
    assert json.loads(app.store.get_thread(PROJECT, "cthr_big") or "{}")["created_at"] == HUGE


_DEEP = '{"id": "cthr_deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (json.dumps(THREAD).replace(str(HUGE), "NaN"), "NaN is not JSON"),
        (json.dumps(THREAD).replace(str(HUGE), "Infinity"), "Infinity is not JSON"),
        (json.dumps(THREAD).replace(str(HUGE), "-Infinity"), "-Infinity is not JSON"),
        (json.dumps(THREAD).replace(str(HUGE), "1e400"), "1e400"),
        (json.dumps(THREAD).replace('"cthr_big"', '"cthr_\\ud800"'), "lone surrogate"),
        (_DEEP, "nested too deeply"),
    ],
    ids=["nan", "infinity", "minus-infinity", "float-overflow", "surrogate-id", "deep"],
)
@pytest.mark.parametrize("drift", [False, True], ids=["checked", "allow-drift"])
def test_an_odd_fixture_value_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, said: str, drift: bool
) -> None:
    fixtures = _write(tmp_path / "odd.jsonl", line)
    db = str(tmp_path / "mock.db")
    argv = ["load", "--db", db, "--seed", "none", "--fixtures", fixtures]
    assert main(argv + (["--allow-drift"] if drift else [])) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert "line 1" in err and said in err, err


def test_a_file_that_is_not_utf8_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(THREAD).encode() + b"\n" + b'{"title": "caf\xe9"}\n')
    assert main(["load", "--db", str(tmp_path / "m.db"), "--fixtures", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 2: not UTF-8" in err and err.count("\n") == 1


def test_a_lone_surrogate_in_a_title_is_served_escaped(tmp_path: Path) -> None:
    line = json.dumps(dict(THREAD, title="a\ud800b"))
    assert "\\ud800" in line
    store = ThreadStore()
    load_fixtures(store, DEFAULT_API_KEY, _write(tmp_path / "s.jsonl", line))
    body = store.get_thread(PROJECT, "cthr_big")
    assert body is not None and "\\ud800" in body
    assert json.loads(body)["title"] == "a\ud800b"
    assert _listed(store)[0]["title"] == "a\ud800b"


# -- a full disk ----------------------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[TestClient]:
    """A file database that cannot grow, holding a thread whose delete must grow it.

    Deleting a thread records it (id and user) among the deleted threads before removing
    it: a 200 KB `user` needs new pages there, which `max_page_count` refuses, as a full
    disk refuses them (both are SQLITE_FULL).
    """
    app = create_app(db_path=str(tmp_path / "full.db"), seed="default")
    big = dict(THREAD, id="cthr_heavy", created_at=1, user="u" * 200_000)
    app.store.add(PROJECT, [big])
    # Not below the current size: SQLite then keeps the current one.
    app.store._db.execute("PRAGMA max_page_count = 1")
    with TestClient(app, base_url="http://127.0.0.1/v1", headers=HEADERS) as client:
        yield client
    app.store.close()


def test_a_full_disk_is_a_507_storage_full_with_one_log_line(
    full_disk: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="chatkit_threads_mock"):
        for _ in range(3):
            response = full_disk.delete("/chatkit/threads/cthr_heavy")
            assert response.status_code == 507, response.text
            error = response.json()["error"]
            assert (error["type"], error["code"]) == ("server_error", "storage_full")
            assert "out of space" in error["message"]
            assert response.headers["x-request-id"].startswith("req_")
    records = [r for r in caplog.records if r.name == "chatkit_threads_mock"]
    assert len(records) == 3, [r.getMessage() for r in records]
    for record in records:
        assert record.exc_info is None and "\n" not in record.getMessage()
        assert "DELETE" in record.getMessage() and "out of space" in record.getMessage()


def test_reads_go_on_when_the_disk_is_full(full_disk: TestClient) -> None:
    assert full_disk.delete("/chatkit/threads/cthr_heavy").status_code == 507
    # Nothing of the failed delete was kept.
    assert full_disk.get("/chatkit/threads/cthr_heavy").status_code == 200
    listing = full_disk.get("/chatkit/threads", params={"limit": 100})
    assert listing.status_code == 200
    assert "cthr_heavy" in [t["id"] for t in listing.json()["data"]]


def test_full_is_still_an_sqlite_error() -> None:
    from chatkit_threads_mock.store import StoreFull

    assert issubclass(StoreFull, sqlite3.OperationalError)


# -- a huge request head ---------------------------------------------------------------


@pytest.fixture(params=["h11", "httptools"])
def server(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    with MockServer(http=request.param) as running:
        yield running


def _send_at_once(server: MockServer, head: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    return data


def _head(extra: int) -> bytes:
    return (
        "GET /v1/chatkit/threads?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + raw_api_headers(DEFAULT_API_KEY)
        + f"X-Padding: {'a' * extra}\r\nConnection: close\r\n\r\n"
    ).encode()


@pytest.mark.parametrize("size", [100_000, MAX_REQUEST_HEAD + 100])
def test_a_whole_head_over_the_bound_in_one_read_is_refused(server: MockServer, size: int) -> None:
    head = _head(size)
    assert len(head) > MAX_REQUEST_HEAD
    data = _send_at_once(server, head)
    status, _, body = data.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 400"), data[:200]
    assert b"content-type: text/plain" in status.lower()
    # h11 has parsed the request line by then, so it may frame the body as chunked.
    assert b"Invalid HTTP request received." in body[:64]


def test_a_head_under_the_bound_in_one_read_is_served(server: MockServer) -> None:
    head = _head(MAX_REQUEST_HEAD // 2)
    assert _send_at_once(server, head).startswith(b"HTTP/1.1 200")


def test_the_admin_api_on_a_full_disk_is_a_507_too(full_disk: TestClient) -> None:
    line = json.dumps(dict(THREAD, id="cthr_more", title="t" * 300_000))
    root = str(full_disk.base_url).rsplit("/v1", 1)[0]
    loaded = full_disk.post(f"{root}/__admin/fixtures", content=line)
    assert loaded.status_code == 507 and loaded.json()["error"]["code"] == "storage_full"
    assert full_disk.get("/chatkit/threads/cthr_more").status_code == 404


@pytest.mark.parametrize(
    "seed", ["synthetic:99999999999999999999", "synthetic:5:99999999999", "synthetic:+5"]
)
def test_an_odd_seed_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: str
) -> None:
    assert main(["load", "--db", str(tmp_path / "m.db"), "--seed", seed]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"seed {seed!r}" in err
