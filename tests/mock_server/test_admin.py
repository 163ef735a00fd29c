"""The admin API and CORS (#28), driven with plain httpx as a non-Python user would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chatkit_threads_mock import DEFAULT_API_KEY, MockServer

from .conftest import HEADERS, OTHER_HEADERS, OTHER_KEY, serving

THREAD = {
    "id": "cthr_admin_1",
    "object": "chatkit.thread",
    "created_at": 1_712_345_600,
    "title": None,
    "status": {"type": "active"},
    "user": "user_1",
}
ITEM = {
    "id": "cthi_admin_1",
    "object": "chatkit.thread_item",
    "created_at": 1_712_345_601,
    "thread_id": "cthr_admin_1",
    "type": "chatkit.widget",
    "widget": "{}",
}


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(api_keys=(DEFAULT_API_KEY, OTHER_KEY), journal_size=5) as running:
        yield running


def _root(server: MockServer) -> str:
    return server.base_url.rsplit("/v1", 1)[0]


def _ids(server: MockServer, headers: dict[str, str] = HEADERS) -> list[str]:
    page = httpx.get(
        f"{server.base_url}/chatkit/threads", params={"limit": 100}, headers=headers, timeout=10
    )
    assert page.status_code == 200, page.text
    return [thread["id"] for thread in page.json()["data"]]


def _admin(
    server: MockServer,
    method: str,
    path: str,
    headers: dict[str, str] = HEADERS,
    content: str | None = None,
) -> httpx.Response:
    auth = {"Authorization": headers["Authorization"]}
    url = f"{_root(server)}/__admin/{path}"
    return httpx.request(method, url, headers=auth, content=content, timeout=10)


def test_reset_brings_back_the_seed_and_touches_no_other_key(server: MockServer) -> None:
    seeded, others = _ids(server), _ids(server, OTHER_HEADERS)
    assert (
        httpx.delete(f"{server.base_url}/chatkit/threads/{seeded[0]}", headers=HEADERS).status_code
        == 200
    )
    assert _admin(server, "POST", "reset?seed=none").json()["threads"] == 0
    assert _ids(server) == []
    assert _ids(server, OTHER_HEADERS) == others
    reset = _admin(server, "POST", "reset")
    assert reset.status_code == 200 and reset.json()["threads"] == len(seeded)
    assert _ids(server) == seeded
    assert _ids(server, OTHER_HEADERS) == others


def test_a_bad_seed_leaves_the_project_as_it_was(server: MockServer) -> None:
    before = _ids(server)
    refused = _admin(server, "POST", "reset?seed=nonsense")
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "seed"
    assert _ids(server) == before


def test_fixtures_load_all_or_nothing_naming_the_line(server: MockServer) -> None:
    _admin(server, "POST", "reset?seed=none")
    bad = dict(ITEM, id="cthi_admin_2", created_at="yesterday")
    body = "\n".join(json.dumps(line) for line in (THREAD, ITEM, bad)) + "\n"
    refused = _admin(server, "POST", "fixtures", content=body)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid_fixtures" and "line 3" in error["message"]
    assert "created_at" in error["message"]
    assert _ids(server) == []
    good = _admin(server, "POST", "fixtures", content=body.rsplit("\n", 2)[0] + "\n")
    assert good.status_code == 200, good.text
    assert (good.json()["threads"], good.json()["items"]) == (1, 1)
    assert _ids(server) == [THREAD["id"]]
    # The other key cannot see them, and its own load is its own.
    assert THREAD["id"] not in _ids(server, OTHER_HEADERS)
    _admin(server, "POST", "reset")


def test_drifting_fixtures_need_allow_drift(tmp_path: Path) -> None:
    drifting = json.dumps(dict(THREAD, status={"type": "archived"})) + "\n"
    with MockServer(seed="none") as strict:
        assert _admin(strict, "POST", "fixtures", content=drifting).status_code == 400
    with MockServer(seed="none", allow_drift=True) as lenient:
        assert _admin(lenient, "POST", "fixtures", content=drifting).status_code == 200
        assert _ids(lenient) == [THREAD["id"]]


def test_the_journal_is_per_key_newest_first_bounded_and_redacted(server: MockServer) -> None:
    assert _admin(server, "DELETE", "requests").status_code == 200
    _admin(server, "DELETE", "requests", OTHER_HEADERS)
    for limit in range(1, 8):
        httpx.get(f"{server.base_url}/chatkit/threads", params={"limit": limit}, headers=HEADERS)
    httpx.get(f"{server.base_url}/chatkit/threads/nope", headers=HEADERS)
    httpx.get(f"{server.base_url}/chatkit/threads", headers=OTHER_HEADERS)
    journal = _admin(server, "GET", "requests")
    assert journal.status_code == 200
    assert DEFAULT_API_KEY not in journal.text and OTHER_KEY not in journal.text
    entries = journal.json()["data"]
    # A ring of 5: the newest five, newest first.
    assert len(entries) == 5
    assert entries[0]["path"] == "/v1/chatkit/threads/nope" and entries[0]["status"] == 404
    assert [e["query"] for e in entries[1:]] == [f"limit={n}" for n in (7, 6, 5, 4)]
    first = entries[1]
    assert first["method"] == "GET" and first["status"] == 200
    assert first["request_id"].startswith("req_") and first["time"].endswith("Z")
    assert first["headers"]["authorization"] == "[redacted]"
    assert len(_admin(server, "GET", "requests?limit=2").json()["data"]) == 2
    # The other key sees only its own request.
    other = _admin(server, "GET", "requests", OTHER_HEADERS).json()["data"]
    assert [(e["path"], e["query"]) for e in other] == [("/v1/chatkit/threads", "")]
    cleared = _admin(server, "DELETE", "requests")
    assert cleared.json()["deleted"] == 5
    assert _admin(server, "GET", "requests").json()["data"] == []
    assert len(_admin(server, "GET", "requests", OTHER_HEADERS).json()["data"]) == 1


def test_a_key_echoed_in_a_query_is_redacted(server: MockServer) -> None:
    _admin(server, "DELETE", "requests")
    httpx.get(
        f"{server.base_url}/chatkit/threads", params={"after": DEFAULT_API_KEY}, headers=HEADERS
    )
    journal = _admin(server, "GET", "requests")
    assert DEFAULT_API_KEY not in journal.text
    assert journal.json()["data"][0]["query"] == "after=[redacted]"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer sk-wrong"}, {"Authorization": f"Basic {DEFAULT_API_KEY}"}],
    ids=["none", "wrong", "basic"],
)
def test_admin_calls_need_an_accepted_key(server: MockServer, headers: dict[str, str]) -> None:
    for method, path in (("POST", "reset"), ("GET", "requests"), ("DELETE", "requests")):
        refused = httpx.request(method, f"{_root(server)}/__admin/{path}", headers=headers)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_api_key"
    assert len(_ids(server)) > 0


def test_unknown_admin_paths_and_methods_are_envelopes(server: MockServer) -> None:
    unknown = _admin(server, "GET", "nothing")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_url"
    wrong = _admin(server, "GET", "reset")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"


def test_no_admin_turns_it_off() -> None:
    with serving("--no-admin") as served:
        root = served.base_url.rsplit("/v1", 1)[0]
        response = httpx.post(f"{root}/__admin/reset", headers=HEADERS)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "unknown_url"


# -- CORS -----------------------------------------------------------------------------

ORIGIN = "http://localhost:5173"


def test_cors_answers_preflight_and_adds_headers() -> None:
    with MockServer(cors=[ORIGIN]) as server:
        url = f"{server.base_url}/chatkit/threads/cthr_x"
        preflight = httpx.options(
            url,
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "DELETE",
                "Access-Control-Request-Headers": "authorization, openai-beta",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == ORIGIN
        assert "DELETE" in preflight.headers["access-control-allow-methods"]
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        listed = httpx.get(
            f"{server.base_url}/chatkit/threads", headers={**HEADERS, "Origin": ORIGIN}
        )
        assert listed.status_code == 200
        assert listed.headers["access-control-allow-origin"] == ORIGIN
        assert "x-request-id" in listed.headers["access-control-expose-headers"]
        # Another origin gets no grant: the browser keeps the answer from the page.
        other = httpx.get(
            f"{server.base_url}/chatkit/threads", headers={**HEADERS, "Origin": "http://evil.test"}
        )
        assert "access-control-allow-origin" not in other.headers


def test_cors_star_allows_any_origin() -> None:
    with serving("--cors", "*") as served:
        listed = httpx.get(
            f"{served.base_url}/chatkit/threads", headers={**HEADERS, "Origin": "http://a.test"}
        )
        assert listed.headers["access-control-allow-origin"] == "*"


def test_without_cors_options_is_still_a_405(server: MockServer) -> None:
    response = httpx.options(
        f"{server.base_url}/chatkit/threads",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 405
    assert "access-control-allow-origin" not in response.headers


def test_a_bad_cors_origin_is_refused() -> None:
    with pytest.raises(ValueError, match="--cors"):
        MockServer(cors=["localhost:5173/"])


# -- the README's curl examples run as written ------------------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"


def _admin_curl_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text[text.index("**Admin API**") :].split("```bash\n", 1)[1].split("```", 1)[0]
    joined = block.replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip().startswith("curl ")]


def test_the_readme_admin_examples_run_as_written(tmp_path: Path) -> None:
    import shlex
    import subprocess

    lines = _admin_curl_lines()
    assert len(lines) == 5
    (tmp_path / "mine.jsonl").write_text(json.dumps(THREAD) + "\n" + json.dumps(ITEM) + "\n")
    with MockServer() as server:
        for line in lines:
            argv = shlex.split(line.replace("127.0.0.1:8000", f"127.0.0.1:{server.port}"))
            done = subprocess.run(
                [*argv, "--silent", "--fail-with-body"],
                capture_output=True,
                text=True,
                cwd=tmp_path,
                timeout=30,
            )
            assert done.returncode == 0, (line, done.stdout, done.stderr)
            assert isinstance(json.loads(done.stdout), dict)
        assert server.store.get_thread(server.app.api.projects[DEFAULT_API_KEY], "cthr_admin_1")


def test_a_named_seed_applies_to_the_callers_project_whoever_calls(server: MockServer) -> None:
    others = _ids(server, OTHER_HEADERS)
    reset = _admin(server, "POST", "reset?seed=synthetic:3", OTHER_HEADERS)
    assert reset.status_code == 200 and reset.json()["threads"] == 3
    assert len(_ids(server, OTHER_HEADERS)) == 3
    assert _admin(server, "POST", "reset", OTHER_HEADERS).json()["threads"] == len(others)
    assert _ids(server, OTHER_HEADERS) == others


def test_a_fixtures_file_gone_since_start_is_an_envelope(tmp_path: Path) -> None:
    path = tmp_path / "start.jsonl"
    path.write_text(json.dumps(THREAD) + "\n")
    with MockServer(seed="none", fixtures=[str(path)]) as running:
        path.unlink()
        gone = _admin(running, "POST", "reset")
        assert gone.status_code == 500
        assert gone.json()["error"]["code"] == "fixtures_unreadable"
        assert _ids(running) == [THREAD["id"]]  # left as it was
