"""The validation proxy (#28): in front of the mock, of a drifting server, and record/replay."""

from __future__ import annotations

import asyncio
import gzip
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from chatkit_threads_mock import DEFAULT_API_KEY, FixtureError, MockServer
from chatkit_threads_mock.proxy_server import ProxyServer
from chatkit_threads_mock.server import BackgroundServer

from .conftest import HEADERS


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


def _walk(client: httpx.Client, path: str) -> list[dict[str, object]]:
    """Every entry of a listing, page by page."""
    entries: list[dict[str, object]] = []
    params: dict[str, str | int] = {"limit": 5}
    while True:
        page = client.get(path, params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        entries += body["data"]
        if not body["has_more"]:
            return entries
        params["after"] = body["last_id"]


def _drift(proxy: ProxyServer, headers: dict[str, str]) -> dict[str, Any]:
    answer = httpx.get(
        f"{proxy.root_url}/__admin/drift", params={"format": "json"}, headers=headers
    )
    assert answer.status_code == 200
    result: dict[str, Any] = answer.json()
    return result


def test_in_front_of_the_mock_answers_are_unchanged_and_conform(mock: MockServer) -> None:
    with (
        ProxyServer(mock.base_url) as proxy,
        httpx.Client(base_url=proxy.base_url, headers=HEADERS) as through,
        httpx.Client(base_url=mock.base_url, headers=HEADERS) as direct,
    ):
        for path in ("/chatkit/threads?limit=3&order=asc", "/chatkit/threads/nope"):
            via, straight = through.get(path), direct.get(path)
            assert (via.status_code, via.content) == (straight.status_code, straight.content)
            assert via.headers["content-type"] == straight.headers["content-type"]
            assert via.headers["x-request-id"].startswith("req_")
        threads = _walk(through, "/chatkit/threads")
        _walk(through, f"/chatkit/threads/{threads[0]['id']}/items")
        assert through.get("/chatkit/threads", params={"limit": 1000}).status_code == 400
        drift = _drift(proxy, HEADERS)
        assert drift["departing"] == 0 and drift["findings"] == [], drift
        assert isinstance(drift["checked"], int) and drift["checked"] >= 6


# -- a drifting upstream ----------------------------------------------------------------

SECRET = "sk-proxy-secret-key"
_DRIFTING_THREAD = {
    "id": "cthr_drift",
    "object": "chatkit.thread",
    "created_at": "yesterday",
    "title": "echo",
    "status": {"type": "archived"},
    "user": "user_1",
}


async def _threads(request: Request) -> Response:
    # Echoes the caller's key in a title, as a hostile server may.
    key = request.headers.get("authorization", "").partition(" ")[2]
    thread = dict(_DRIFTING_THREAD, title=f"echo {key}", status={"type": f"archived {key}"})
    page = {"object": "list", "data": [thread], "first_id": None, "last_id": None}
    return JSONResponse(page)  # no has_more: a missing field


async def _thread(request: Request) -> Response:
    if request.path_params["thread_id"] == "slow":
        await asyncio.sleep(3)
    return JSONResponse({"error": "not an envelope"}, status_code=404)


async def _gzipped_items(request: Request) -> Response:
    page: dict[str, Any] = {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": 1,
    }
    body = gzip.compress(json.dumps(page).encode())
    return Response(body, media_type="application/json", headers={"content-encoding": "gzip"})


def _drifting_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/v1/chatkit/threads", _threads),
            Route("/v1/chatkit/threads/{thread_id}", _thread),
            Route("/v1/chatkit/threads/{thread_id}/items", _gzipped_items),
        ]
    )


@pytest.fixture(scope="module")
def drifting() -> Iterator[BackgroundServer]:
    with BackgroundServer(_drifting_app()) as running:
        yield running


def test_findings_are_counted_by_json_path(drifting: BackgroundServer) -> None:
    auth = {"Authorization": f"Bearer {SECRET}"}
    with ProxyServer(drifting.base_url) as proxy:
        for _ in range(3):
            listed = httpx.get(f"{proxy.base_url}/chatkit/threads", headers=auth)
            # The upstream's answer reaches the caller as it was.
            assert (
                listed.status_code == 200 and listed.json()["data"][0]["created_at"] == "yesterday"
            )
        missing = httpx.get(f"{proxy.base_url}/chatkit/threads/x", headers=auth)
        assert missing.status_code == 404 and missing.json() == {"error": "not an envelope"}
        drift = _drift(proxy, auth)
        assert (drift["checked"], drift["departing"]) == (4, 4)
        found = {(f["operation"], f["path"]): f["count"] for f in drift["findings"]}
        assert found[("listThreads", "$.data[*].created_at")] == 3
        assert found[("listThreads", "$.data[*].status.type")] == 3
        assert found[("listThreads", "$.has_more")] == 3
        assert ("retrieveThread", "$.error") in found
        text = httpx.get(f"{proxy.root_url}/__admin/drift", headers=auth).text
        assert "4 responses checked" in text and "$.data[*].status.type" in text
        # The key the upstream echoed into a departing value is not in the report.
        assert SECRET not in text and "[redacted]" in text
        assert SECRET not in json.dumps(drift)


def test_the_drift_report_needs_a_key_the_upstream_accepted_and_shows_only_its_own(
    mock: MockServer,
) -> None:
    other = {**HEADERS, "Authorization": "Bearer sk-chatkit-mock-never-seen"}
    refused = {**HEADERS, "Authorization": "Bearer sk-not-a-key-of-the-mock"}
    with ProxyServer(mock.base_url) as proxy:
        drift_url = f"{proxy.root_url}/__admin/drift"
        # Nobody has made a request yet: no key is known, so none may read the report.
        assert httpx.get(drift_url, headers=HEADERS).status_code == 401
        assert (
            httpx.get(f"{proxy.base_url}/chatkit/threads/nope", headers=HEADERS).status_code == 404
        )
        # The upstream refuses this key (401): its holder cannot read any report.
        assert httpx.get(f"{proxy.base_url}/chatkit/threads", headers=refused).status_code == 401
        for headers in (refused, other, {}):
            answer = httpx.get(drift_url, headers=headers)
            assert answer.status_code == 401, headers
            assert answer.json()["error"]["code"] == "invalid_api_key"
        # The caller whose request went through sees it, and only it.
        assert _drift(proxy, HEADERS)["checked"] == 1
        # The operator's report (shutdown) counts every answer checked, refused ones too.
        assert "2 responses checked" in proxy.report()


def test_a_compressed_answer_passes_through_as_sent_and_is_checked_decoded(
    drifting: BackgroundServer,
) -> None:
    with ProxyServer(drifting.base_url) as proxy:
        url = f"{proxy.base_url}/chatkit/threads/cthr_1/items"
        with httpx.stream("GET", url, headers=HEADERS) as answer:
            assert answer.headers["content-encoding"] == "gzip"
            raw = b"".join(answer.iter_raw())
        assert json.loads(gzip.decompress(raw))["has_more"] == 1
        found = {(f["operation"], f["path"]) for f in _drift(proxy, HEADERS)["findings"]}
        assert found == {("listThreadItems", "$.has_more")}


def test_an_answer_over_the_bound_is_a_502_saying_so(
    drifting: BackgroundServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chatkit_threads_mock import proxy as proxy_module

    monkeypatch.setattr(proxy_module, "MAX_BODY_BYTES", 10)
    with ProxyServer(drifting.base_url) as proxy:
        answer = httpx.get(f"{proxy.base_url}/chatkit/threads", headers=HEADERS)
    assert answer.status_code == 502
    assert answer.json()["error"]["code"] == "upstream_too_large"


def test_an_unreachable_upstream_is_a_502_naming_it(tmp_path: Path) -> None:
    with BackgroundServer(_drifting_app()) as gone:
        url = gone.base_url.replace("http://", "http://user:hunter2@")
    with ProxyServer(url) as proxy:
        answer = httpx.get(f"{proxy.base_url}/chatkit/threads", headers=HEADERS)
    assert answer.status_code == 502
    error = answer.json()["error"]
    assert error["code"] == "upstream_unavailable" and gone.base_url in error["message"]
    assert "hunter2" not in answer.text


def test_a_slow_upstream_is_a_502_timeout(drifting: BackgroundServer) -> None:
    with ProxyServer(drifting.base_url, upstream_timeout=0.5) as proxy:
        answer = httpx.get(f"{proxy.base_url}/chatkit/threads/slow", headers=HEADERS, timeout=30)
    assert answer.status_code == 502 and answer.json()["error"]["code"] == "upstream_timeout"


def test_recorded_drift_replays_with_allow_drift(
    drifting: BackgroundServer, tmp_path: Path
) -> None:
    with ProxyServer(drifting.base_url, record=tmp_path) as proxy:
        httpx.get(
            f"{proxy.base_url}/chatkit/threads", headers={"Authorization": f"Bearer {SECRET}"}
        )
    recorded = (tmp_path / "fixtures.jsonl").read_text(encoding="utf-8")
    assert SECRET not in recorded and "[redacted]" in recorded
    with pytest.raises(FixtureError, match="line 1"):
        MockServer(seed="none", fixtures=[str(tmp_path / "fixtures.jsonl")])
    with MockServer(
        seed="none", fixtures=[str(tmp_path / "fixtures.jsonl")], allow_drift=True
    ) as replay:
        listed = httpx.get(f"{replay.base_url}/chatkit/threads", headers=HEADERS).json()
        assert listed["data"][0]["status"] == {"type": "archived [redacted]"}


def test_record_then_replay_answers_the_same_listings(tmp_path: Path) -> None:
    with MockServer() as upstream:
        with (
            ProxyServer(upstream.base_url, record=tmp_path) as proxy,
            httpx.Client(base_url=proxy.base_url, headers=HEADERS) as client,
        ):
            threads = _walk(client, "/chatkit/threads")
            for thread in threads:
                _walk(client, f"/chatkit/threads/{thread['id']}/items")
            assert client.delete(f"/chatkit/threads/{threads[0]['id']}").status_code == 200
        assert proxy.recorded is not None and proxy.recorded[1] == 0
        with httpx.Client(base_url=upstream.base_url, headers=HEADERS) as client:
            expected = _walk(client, "/chatkit/threads")
            expected_items = {
                t["id"]: _walk(client, f"/chatkit/threads/{t['id']}/items") for t in expected
            }
    fixtures = tmp_path / "fixtures.jsonl"
    assert DEFAULT_API_KEY not in fixtures.read_text(encoding="utf-8")
    with (
        MockServer(seed="none", fixtures=[str(fixtures)]) as replay,
        httpx.Client(base_url=replay.base_url, headers=HEADERS) as client,
    ):
        assert _walk(client, "/chatkit/threads") == expected
        for thread_id, items in expected_items.items():
            assert _walk(client, f"/chatkit/threads/{thread_id}/items") == items
        asc = client.get("/chatkit/threads", params={"order": "asc", "limit": 3}).json()["data"]
        assert [t["id"] for t in asc] == [t["id"] for t in expected[::-1][:3]]


def test_the_proxy_command_prints_its_findings_on_shutdown(
    drifting: BackgroundServer, tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chatkit_threads_mock",
            "proxy",
            "--port",
            "0",
            "--upstream",
            drifting.base_url,
            "--record",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert " on " in banner, banner
        base_url = banner.split(" on ", 1)[1].split(" ", 1)[0]
        httpx.get(f"{base_url}/chatkit/threads", headers={"Authorization": f"Bearer {SECRET}"})
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "1 responses checked against the spec, 1 departing" in out
    assert "$.data[*].status.type" in out and "recorded 1 threads" in out
    assert "Traceback" not in err and SECRET not in out + err
    assert (
        json.loads((tmp_path / "fixtures.jsonl").read_text().splitlines()[0])["id"] == "cthr_drift"
    )


def test_a_bad_upstream_is_one_line_and_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chatkit_threads_mock", "proxy", "--upstream", "ftp://x"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--upstream" in done.stderr
