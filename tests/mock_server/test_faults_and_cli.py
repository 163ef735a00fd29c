"""Fault injection and the mock server's command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chatkit_threads_mock import FaultSpec, MockServer, parse_faults
from chatkit_threads_mock.cli import main
from tests.spec_facts import api_headers

from .conftest import HEADERS, serving


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


def _get(server: MockServer, faults: str) -> httpx.Response:
    headers = HEADERS | {"X-Mock-Faults": faults}
    return httpx.get(server.base_url + "/chatkit/threads", headers=headers)


def test_parse_faults_reads_every_setting() -> None:
    spec = parse_faults(
        "latency=50ms, 429=0.25, retry-after=2, 500=0.1, 503=0.2, drop=0.05, seed=9"
    )
    assert (spec.latency, spec.rate_429, spec.retry_after) == (0.05, 0.25, 2.0)
    assert (spec.rate_500, spec.rate_503, spec.rate_drop, spec.seed) == (0.1, 0.2, 0.05, 9)
    assert parse_faults("latency=1.5s").latency == 1.5


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ("429=2", "'429=2'"),
        ("explode=1", "unknown fault"),
        ("latency", "name=value"),
        ("500=lots", "'500=lots'"),
        ("latency=-5ms", "negative"),
    ],
)
def test_a_bad_fault_spec_names_the_bad_part(spec: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        parse_faults(spec)


def test_fault_draws_are_reproducible_with_a_seed() -> None:
    def draws(seed: int) -> list[str | None]:
        spec = FaultSpec(rate_429=0.3, rate_500=0.3, seed=seed)
        return [spec.draw() for _ in range(200)]

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)
    counts = {name: draws(7).count(name) for name in ("429", "500", None)}
    assert all(count > 20 for count in counts.values())


def test_injected_429_carries_retry_after(server: MockServer) -> None:
    response = _get(server, "429=1,retry-after=3")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert response.headers["retry-after-ms"] == "3000"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"
    assert response.headers["x-request-id"]


@pytest.mark.parametrize("status", [500, 503])
def test_injected_server_errors(server: MockServer, status: int) -> None:
    response = _get(server, f"{status}=1")
    assert response.status_code == status
    assert response.json()["error"]["type"] == "server_error"


def test_a_header_spec_draws_one_seeded_sequence_across_requests() -> None:
    def statuses() -> list[int]:
        headers = HEADERS | {"X-Mock-Faults": "500=0.5,seed=11"}
        with MockServer() as fresh, httpx.Client(base_url=fresh.base_url) as client:
            return [client.get("/chatkit/threads", headers=headers).status_code for _ in range(30)]

    first = statuses()
    # A rate, not the same outcome every time; and the same run against a fresh server.
    assert set(first) == {200, 500}
    assert statuses() == first


def test_latency_delays_the_answer(server: MockServer) -> None:
    response = _get(server, "latency=30ms")
    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.03


def test_injected_drop_cuts_the_response_short(server: MockServer) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        _get(server, "drop=1")
    # The server keeps serving after a dropped connection.
    assert _get(server, "").status_code == 200


def test_a_bad_fault_header_is_a_400(server: MockServer) -> None:
    response = _get(server, "429=7")
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "x-mock-faults"


def test_server_wide_faults_apply_to_every_request() -> None:
    with MockServer(faults="503=1") as failing:
        assert httpx.get(failing.base_url + "/chatkit/threads", headers=HEADERS).status_code == 503


def test_seeds_combine(tmp_path: Path) -> None:
    db = tmp_path / "both.db"
    assert main(["load", "--db", str(db), "--seed", "default", "--seed", "synthetic:30"]) == 0
    with MockServer(db_path=str(db), seed="none") as served:
        page = httpx.get(
            served.base_url + "/chatkit/threads", params={"limit": 100}, headers=HEADERS
        )
        assert len(page.json()["data"]) == 12 + 30


def test_load_prepares_a_database_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "big.db"
    assert main(["load", "--db", str(db), "--seed", "synthetic:500:2"]) == 0
    assert "loaded into" in capsys.readouterr().out
    with MockServer(db_path=str(db), seed="none") as served:
        page = httpx.get(
            served.base_url + "/chatkit/threads", params={"limit": 100}, headers=HEADERS
        )
        assert len(page.json()["data"]) == 100 and page.json()["has_more"] is True


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["load", "--db", "x.db", "--seed", "nonsense"], "seed 'nonsense'"),
        (["serve", "--faults", "429=9"], "fault '429=9'"),
        (["load", "--db", "x.db", "--fixtures", "/nonexistent.jsonl"], "No such file"),
        (["load", "--db", "no/such/dir/x.db"], "unable to open database file"),
    ],
)
def test_bad_command_input_exits_2_with_the_reason(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_serve_from_the_command_line(tmp_path: Path) -> None:
    fixtures = tmp_path / "mine.jsonl"
    thread = {
        "id": "cthr_cli_1",
        "object": "chatkit.thread",
        "created_at": 1,
        "title": None,
        "status": {"type": "active"},
        "user": "me",
    }
    fixtures.write_text(json.dumps(thread) + "\n")
    options = ["--seed", "none", "--fixtures", str(fixtures), "--api-key", "sk-cli-test"]
    with serving(*options) as (process, base_url, banner):
        assert "sk-cli-test" not in banner
        assert base_url.startswith("http://127.0.0.1:")
        headers = api_headers("sk-cli-test")
        page = httpx.get(base_url + "/chatkit/threads", headers=headers).json()
        assert [t["id"] for t in page["data"]] == ["cthr_cli_1"]
        process.terminate()
        # SIGTERM is a clean stop: exit code 0, no traceback.
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None and "Traceback" not in process.stderr.read()


def test_serve_on_a_port_in_use_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with MockServer() as running:
        assert main(["serve", "--port", str(running.port)]) == 2
    assert "in use" in capsys.readouterr().err
