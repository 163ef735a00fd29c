"""A deletion's reported outcome accounts for every attempt made for the thread (a 404
after a lost answer and a 429 is a deletion; a thread that never existed is not), an
absurd Retry-After crashes nothing, and Ctrl-C reports the deletions that finished."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

import pytest
from typer.testing import CliRunner

from chatkit_threads import ChatKit
from chatkit_threads_cli import pool
from chatkit_threads_cli.app import app
from chatkit_threads_mock import FAULT_HEADER, MockServer

from .hostile import Reply, Request, hostile, not_found, page, thread

DELETED = {"object": "chatkit.thread.deleted", "deleted": True}
ABSURD_DATE = "Mon, 01 Jan 99999999999999999999 00:00:00 GMT"


def test_the_mock_with_lost_answers_and_429s_reports_every_thread_deleted() -> None:
    faults = "drop=0.4,429=0.4,retry-after=0.1,seed=5"
    with MockServer(port=0, faults=faults, seed="synthetic:60:1") as server:
        checker = ChatKit(
            api_key=server.api_key,
            base_url=server.base_url,
            default_headers={FAULT_HEADER: "seed=0"},
        )
        ids = [t.id for t in checker.threads.list(limit=100)]
        args = ["--base-url", server.base_url, "--api-key", server.api_key]
        result = CliRunner().invoke(app, [*args, "threads", "delete", *ids, "--yes", "-j", "4"])
        left = [t.id for t in checker.threads.list(limit=100)]
    assert len(ids) == 60
    assert result.exit_code == 0, result.output
    assert "failed" not in result.stdout + result.stderr
    assert "Deleted 60 threads" in result.stdout
    assert left == []


class _Script:
    """Per thread id, the answers its DELETE requests get, in turn (then 404)."""

    def __init__(self, **answers: list[Reply]) -> None:
        self.answers = answers
        self.calls: Counter[str] = Counter()

    def __call__(self, request: Request) -> Reply:
        if request.path == "/chatkit/threads":
            return page([thread(i) for i in self.answers])
        thread_id = request.path.rsplit("/", 1)[-1]
        if request.method == "GET":
            return not_found() if thread_id == "cthr_lost_all" else Reply(body=thread(thread_id))
        self.calls[thread_id] += 1
        turn = self.calls[thread_id] - 1
        script = self.answers.get(thread_id, [])
        return script[turn] if turn < len(script) else not_found()


def _429(retry_after: str = "0") -> Reply:
    return Reply(
        429,
        {"error": {"message": "slow down", "type": "rate_limit_error"}},
        {"retry-after": retry_after},
    )


def test_a_404_after_a_lost_answer_and_a_429_is_a_deletion() -> None:
    script = _Script(
        # Lost answer (the delete went through), then a 429, then the 404 of a fresh call.
        cthr_lost=[Reply(drop=True), _429()],
        # Never existed: a 429 then a 404 is a failure, not a deletion.
        cthr_never=[_429()],
        # Every attempt of a call lost its answer; the thread is found gone.
        cthr_lost_all=[Reply(drop=True)] * 3,
        cthr_fine=[Reply(body={"id": "cthr_fine", **DELETED})],
    )
    with hostile(script) as server:
        result = server.cli(
            "threads", "delete", "cthr_lost", "cthr_never", "cthr_lost_all", "cthr_fine",
            "--yes", "-j", "2", retries=2,
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "deleted cthr_lost\n" in result.stdout
    assert "deleted cthr_lost_all\n" in result.stdout
    assert "deleted cthr_fine\n" in result.stdout
    assert "failed  cthr_never: HTTP 404" in result.stderr
    assert "Deleted 3 threads; 1 failed" in result.stdout


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("value", [ABSURD_DATE, "1e400", "nan", "-5", "99999999999999999999999"])
def test_absurd_retry_after_values_crash_nothing(status: int, value: str) -> None:
    calls: Counter[str] = Counter()

    def handler(request: Request) -> Reply:
        calls[request.method + request.path] += 1
        if calls[request.method + request.path] == 1:
            error = {"error": {"message": "wait", "type": "server_error"}}
            return Reply(status, error, {"retry-after": value})
        if request.path == "/chatkit/threads":
            return page([thread("cthr_1")])
        return Reply(body={"id": "cthr_1", **DELETED})

    with hostile(handler) as server:
        listing = server.cli("threads", "list", retries=1)
        deletion = server.cli("threads", "delete", "cthr_1", "--yes", retries=1)
    for result in (listing, deletion):
        assert "OverflowError" not in result.output
        assert result.exit_code == 0, result.output
    assert "Deleted 1 thread" in deletion.stdout


def test_ctrl_c_reports_the_deletions_that_finished(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [f"cthr_{n:02}" for n in range(24)]
    quick = 5
    applied: list[str] = []
    lock = threading.Lock()
    stopped = threading.Event()
    real_stop = pool.RateLimiter.stop

    def stop(self: pool.RateLimiter, reason: BaseException | None = None) -> None:
        real_stop(self, reason)
        if isinstance(reason, KeyboardInterrupt):
            stopped.set()

    monkeypatch.setattr(pool.RateLimiter, "stop", stop)

    def handler(request: Request) -> Reply:
        thread_id = request.path.rsplit("/", 1)[-1]
        with lock:
            first_few = len(applied) < quick
            if first_few:
                applied.append(thread_id)
            interrupt = not first_few and "interrupt" not in applied
            if interrupt:
                applied.append("interrupt")
        if not first_few:
            if interrupt:  # the first held request: Ctrl-C now, while deletions are in flight
                os.kill(os.getpid(), signal.SIGINT)
            stopped.wait(30)  # held until the run is interrupted, then answered
            with lock:
                applied.append(thread_id)
        return Reply(body={"id": thread_id, **DELETED})

    with hostile(handler) as server:
        result = server.cli("threads", "delete", *ids, "--yes", "-j", "8")
    done = [i for i in applied if i != "interrupt"]
    assert result.exit_code == 130, result.output
    reported = [
        line.split()[1] for line in result.stdout.splitlines() if line.startswith("deleted")
    ]
    # Every deletion the server carried out is reported, and only those.
    assert sorted(reported) == sorted(done), (result.stdout, result.stderr, applied)
    assert quick < len(done) < len(ids)
    assert f"Interrupted: deleted {len(done)} threads before the interruption." in result.stdout
    assert result.stderr.rstrip().endswith("interrupted")
