"""``chatkit-threads spec drift`` and the mock's ``--allow-drift`` replay.

The drifting server is the mock with rows written straight into its store (no fixture
validation), so every departure below is known: which bodies, which paths, how many.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from chatkit_threads import ChatKit, ResponseValidationError
from chatkit_threads_cli.conformance import SpecChecker, fold_path
from chatkit_threads_cli.drift_report import DriftReport
from chatkit_threads_cli.drift_sample import sample_account
from chatkit_threads_cli.limits import PAGE_MAX
from chatkit_threads_mock import MockApi, MockServer, error_response
from chatkit_threads_mock.cli import main as mock_main
from chatkit_threads_mock.store import project_for_key

from .conftest import Cli, serve

THREADS = 5
ITEMS = 3
SECRET_TEXT = "a private message that must never be printed in full " * 6


def _thread(index: int) -> dict[str, Any]:
    return {
        "id": f"cthr_{index}",
        "object": "chatkit.thread",
        "created_at": 1_700_000_000 + index,
        "title": f"thread {index}",
        "status": {"type": "active"},
        "user": "user_1",
    }


def _item(thread: int, index: int) -> dict[str, Any]:
    return {
        "id": f"cthi_{thread}_{index}",
        "object": "chatkit.thread_item",
        "created_at": 1_700_000_100 + index,
        "thread_id": f"cthr_{thread}",
        "type": "chatkit.user_message",
        "content": [{"type": "input_text", "text": f"hello {index}"}],
        "attachments": [],
        "inference_options": None,
    }


def _drifting_data(
    *, wrong_created_at: bool = True
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    threads = [_thread(i) for i in range(THREADS)]
    threads[1]["status"] = {"type": "archived"}  # an unknown status
    threads[3]["status"] = {"type": "archived"}
    if wrong_created_at:
        threads[2]["created_at"] = "yesterday"  # a wrong type
    del threads[4]["user"]  # a missing required field
    items = [_item(t, i) for t in range(THREADS) for i in range(ITEMS)]
    items[0]["type"] = items[1]["type"] = "user_message"  # unprefixed item types
    del items[5]["created_at"]
    items[9]["content"][0]["text"] = {"value": SECRET_TEXT}
    return threads, items


# (operation, schema, folded path, problem, count, total) for the data above, sampled whole.
# A problem is compared up to its ";" (what follows lists the spec's own values).
EXPECTED = {
    (
        "listThreads",
        "ThreadStatus",
        "$.data[*].status.type",
        "unknown thread status type 'archived'",
        4,
        10,
    ),
    (
        "listThreads",
        "ThreadResource",
        "$.data[*].created_at",
        "expected integer, got string",
        2,
        10,
    ),
    ("listThreads", "ThreadResource", "$.data[*].user", "required field is missing", 2, 10),
    (
        "retrieveThread",
        "ThreadStatus",
        "$.status.type",
        "unknown thread status type 'archived'",
        2,
        5,
    ),
    ("retrieveThread", "ThreadResource", "$.created_at", "expected integer, got string", 1, 5),
    ("retrieveThread", "ThreadResource", "$.user", "required field is missing", 1, 5),
    (
        "listThreadItems",
        "ThreadItem",
        "$.data[*].type",
        "'user_message' is not a spec thread item type",
        2,
        15,
    ),
    (
        "listThreadItems",
        "UserMessageItem",
        "$.data[*].created_at",
        "required field is missing",
        1,
        15,
    ),
    (
        "listThreadItems",
        "InputTextContent",
        "$.data[*].content[*].text",
        "expected string, got object",
        1,
        15,
    ),
}


def _add_raw(
    server: MockServer, threads: list[dict[str, Any]], items: list[dict[str, Any]]
) -> None:
    project = project_for_key(server.api_key)
    server.store.add_rows(
        [
            (t["id"], project, 1_700_000_000 + n, t.get("user", ""), json.dumps(t))
            for n, t in enumerate(threads)
        ],
        [(i["id"], i["thread_id"], n, json.dumps(i)) for n, i in enumerate(items)],
        project=project,
    )


@pytest.fixture
def drifting_cli() -> Iterator[Cli]:
    """A mock serving the threads and items of ``_drifting_data`` verbatim."""
    for cli in serve(seed="none"):
        _add_raw(cli.server, *_drifting_data())
        yield cli


def _rows(output: str) -> set[tuple[Any, ...]]:
    return {
        (r["operation"], r["schema"], r["path"], r["problem"].split(";")[0], r["count"], r["total"])
        for r in json.loads(output)
    }


def test_the_bundled_mock_does_not_drift(cli: Cli) -> None:
    result = cli("spec", "drift", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []
    text = cli("spec", "drift")
    assert text.exit_code == 0
    assert "No drift" in text.output
    assert "listThreadItems" in text.output


def test_every_departure_is_reported_with_its_path_and_count(drifting_cli: Cli) -> None:
    result = drifting_cli("spec", "drift", "--json")
    assert result.exit_code == 1, result.output
    assert _rows(result.output) == EXPECTED


def test_the_table_names_the_departures_and_the_share_that_conforms(drifting_cli: Cli) -> None:
    result = drifting_cli("spec", "drift", env={"COLUMNS": "200"})
    assert result.exit_code == 1
    out = result.output
    assert "'user_message' is not a spec thread item type" in out
    assert "$.data[*].type" in out
    assert "2 of 15" in out
    # 2 listings (both drift), 5 retrieved threads of which 1 conforms, item pages of
    # threads 0, 1 and 3 drift.
    assert "0 of 2" in out and "1 of 5" in out and "2 of 5" in out


def test_examples_are_short_and_never_show_a_whole_message_or_the_key(drifting_cli: Cli) -> None:
    rows = json.loads(drifting_cli("spec", "drift", "--json").output)
    examples = {r["path"]: r["example"] for r in rows}
    assert examples["$.data[*].type"] == '"user_message"'
    assert examples["$.data[*].created_at"] is None  # missing: nothing to show
    text = examples["$.data[*].content[*].text"]
    assert len(text) <= 40 and SECRET_TEXT[:60] not in text
    table = drifting_cli("spec", "drift").output
    assert SECRET_TEXT[:60] not in table
    assert drifting_cli.server.api_key not in table
    hidden = json.loads(drifting_cli("spec", "drift", "--json", "--example-width", "0").output)
    assert all(r["example"] is None for r in hidden)


def test_sampling_is_bounded_by_the_options(drifting_cli: Cli) -> None:
    report = DriftReport(SpecChecker())
    with drifting_cli.client() as client:
        requests = sample_account(client, report, threads=2, items_per_thread=1)
    # One page per listing order, two threads retrieved, one item page each.
    assert requests == 6
    assert {op: s.bodies for op, s in report.shares.items()} == {
        "listThreads": 2,
        "retrieveThread": 2,
        "listThreadItems": 2,
    }
    items = [r for r in report.rows if r.operation == "listThreadItems"]
    assert all(r.total == 2 for r in items)
    # The newest (cthr_4, no `user`) and the oldest (cthr_0, conforming) were retrieved.
    retrieved = {
        (r.path, r.problem, r.count, r.total)
        for r in report.rows
        if r.operation == "retrieveThread"
    }
    assert retrieved == {("$.user", "required field is missing", 1, 2)}


def test_listings_are_paged_up_to_the_sample_size() -> None:
    # One more thread than a page holds (the spec's `limit` maximum).
    sample = PAGE_MAX + 1
    for cli in serve(seed=f"synthetic:{sample + 2}:1"):
        report = DriftReport(SpecChecker())
        with cli.client() as client:
            requests = sample_account(client, report, threads=sample, items_per_thread=0)
        # A full page + 1 in each order, then every sampled thread retrieved.
        assert requests == 2 + 2 + sample
        assert report.shares["retrieveThread"].bodies == sample
        assert report.rows == []


def test_an_api_error_is_one_line_and_exit_1(cli: Cli) -> None:
    result = cli("--api-key", "sk-wrong", "spec", "drift")
    assert result.exit_code == 1
    assert "HTTP 401" in result.output and "sk-wrong" not in result.output


def test_usage_errors_exit_2(cli: Cli, tmp_path: Path) -> None:
    assert cli("spec", "drift", "--threads", "0").exit_code == 2
    assert cli("spec", "drift", "--nope").exit_code == 2
    missing = tmp_path / "no" / "such" / "dir" / "out.jsonl"
    result = cli("spec", "drift", "--record", str(missing))
    assert result.exit_code == 2
    assert "--record" in result.output


def _strict_paths(client: ChatKit, thread_ids: list[str]) -> dict[str, set[str]]:
    """The folded paths strict mode names, per operation, for the whole data set."""
    found: dict[str, set[str]] = {}

    def catch(operation: str, call: Any, *args: Any, **kwargs: Any) -> None:
        try:
            call(*args, **kwargs)
        except ResponseValidationError as error:
            found.setdefault(operation, set()).update(fold_path(p) for p in error.paths)

    for order in ("asc", "desc"):
        catch("listThreads", client.threads.list, order=order, limit=100)
    for thread_id in thread_ids:
        catch("retrieveThread", client.threads.retrieve, thread_id)
        catch("listThreadItems", client.threads.list_items, thread_id, limit=100)
    return found


def test_record_then_replay_round_trips(drifting_cli: Cli, tmp_path: Path) -> None:
    recorded = tmp_path / "drift.jsonl"
    first = drifting_cli("spec", "drift", "--json", "--record", str(recorded))
    assert first.exit_code == 1
    lines = [json.loads(line) for line in recorded.read_text().splitlines()]
    threads, items = _drifting_data()
    # Every drifting thread and item, as served; thread 0 conforms but owns drifting items.
    by_id = {body["id"]: body for body in threads + items}
    order = [body["id"] for body in lines]
    assert {i for i in order if i.startswith("cthr_")} == {f"cthr_{i}" for i in range(THREADS)}
    assert order.index("cthr_0") < order.index("cthi_0_0")  # a thread before its items
    assert {b["id"] for b in lines if b["object"] == "chatkit.thread_item"} == {
        "cthi_0_0",
        "cthi_0_1",
        "cthi_1_2",
        "cthi_3_0",
    }
    assert all(body == by_id[body["id"]] for body in lines)

    # Strict fixture loading refuses the file; --allow-drift takes it.
    db = tmp_path / "mock.db"
    assert mock_main(["load", "--db", str(db), "--seed", "none", "--fixtures", str(recorded)]) == 2
    assert (
        mock_main(
            [
                "load",
                "--db",
                str(db),
                "--seed",
                "none",
                "--fixtures",
                str(recorded),
                "--allow-drift",
            ]
        )
        == 0
    )

    with MockServer(seed="none", fixtures=[str(recorded)], allow_drift=True) as replay:
        replay_cli = Cli(replay)
        second = replay_cli("spec", "drift", "--json")
        assert second.exit_code == 1
        kinds = {row[:4] for row in _rows(first.output)}
        assert {row[:4] for row in _rows(second.output)} == kinds

        ids = [b["id"] for b in lines if b["object"] == "chatkit.thread"]
        with ChatKit(api_key=replay.api_key, base_url=replay.base_url) as lenient:
            # Lenient: every recorded body is read, and gives back exactly what was recorded.
            listed = {t.id: t.to_dict() for t in lenient.threads.list(limit=100)}
            assert listed == {b["id"]: b for b in lines if b["object"] == "chatkit.thread"}
            for thread_id in ids:
                assert lenient.threads.retrieve(thread_id).to_dict() == listed[thread_id]
            read = {i.id: i.to_dict() for t in ids for i in lenient.threads.list_items(t)}
            assert read == {b["id"]: b for b in lines if b["object"] == "chatkit.thread_item"}
        with ChatKit(api_key=replay.api_key, base_url=replay.base_url, strict=True) as strict:
            named = _strict_paths(strict, ids)
        reported: dict[str, set[str]] = {}
        for operation, _, path, _ in kinds:
            reported.setdefault(operation, set()).add(path)
        assert named == reported


def test_an_item_without_thread_id_joins_the_thread_above(tmp_path: Path) -> None:
    thread = _thread(0)
    item = _item(0, 0)
    del item["thread_id"]
    fixture = tmp_path / "f.jsonl"
    fixture.write_text(json.dumps(thread) + "\n" + json.dumps(item) + "\n")
    with (
        MockServer(seed="none", fixtures=[str(fixture)], allow_drift=True) as server,
        ChatKit(api_key=server.api_key, base_url=server.base_url) as client,
    ):
        (read,) = list(client.threads.list_items("cthr_0"))
        assert read.to_dict() == item
    orphan = tmp_path / "orphan.jsonl"
    orphan.write_text(json.dumps(item) + "\n")
    db = str(tmp_path / "x.db")
    assert mock_main(["load", "--db", db, "--fixtures", str(orphan), "--allow-drift"]) == 2


def test_the_contract_suite_reports_exactly_the_recorded_departures(tmp_path: Path) -> None:
    from chatkit_threads_contract.cli import main as contract_main

    # No wrongly typed `created_at` here: with one, the listing has no order to check.
    recorded = tmp_path / "drift.jsonl"
    for source in serve(seed="none"):
        _add_raw(source.server, *_drifting_data(wrong_created_at=False))
        assert source("spec", "drift", "--record", str(recorded)).exit_code == 1
    options = ["--suites", "server", "--max-examples", "3", "--seed", "1", "--phases", "examples"]
    with MockServer(seed="none", fixtures=[str(recorded)], allow_drift=True) as replay:
        base = ["--base-url", replay.base_url, "--api-key", replay.api_key]
        code, out = _captured(contract_main, [*base, *options])
    assert code == 1, out
    # Only the spec's schemas fail, on the three operations whose bodies drift ...
    assert "failing checks: response_schema_conformance)" in out, out
    assert ", 0 errors," in out
    failed = {
        line.split(" :: ")[0].split("] ", 1)[1]
        for line in out.splitlines()
        if " :: response_schema_conformance" in line
    }
    assert failed == {
        "GET /chatkit/threads",
        "GET /chatkit/threads/{thread_id}",
        "GET /chatkit/threads/{thread_id}/items",
    }
    # ... naming what was recorded.
    assert "'archived'" in out and '"user" is a required property' in out


def _captured(main: Any, argv: list[str]) -> tuple[int, str]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    return int(code), out.getvalue()


def test_examples_hide_free_text_and_the_key_unless_asked(tmp_path: Path) -> None:
    for cli in serve(seed="none"):
        thread = _thread(0)
        thread["title"] = ["see you soon", cli.server.api_key, "ありがとう"]  # a wrong type
        _add_raw(cli.server, [thread], [])
        rows = json.loads(cli("spec", "drift", "--json", "--example-width", "200").output)
        assert {(r["path"], r["problem"]) for r in rows} == {
            ("$.data[*].title", "expected string, got array"),
            ("$.title", "expected string, got array"),
        }
        for row in rows:
            assert "see you soon" not in row["example"] and '"see ...' in row["example"]
            assert "ありがとう" not in row["example"]
            assert cli.server.api_key not in row["example"]
        args = ["spec", "drift", "--json", "--example-width", "200", "--show-text"]
        for row in json.loads(cli(*args).output):
            assert "see you soon" in row["example"] and "ありがとう" in row["example"]
            assert cli.server.api_key not in row["example"]
            assert "<redacted>" in row["example"]


def test_rate_limits_are_retried_by_the_client() -> None:
    for cli in serve(faults="429=0.3,retry-after=0,seed=3"):
        args = ["--max-retries", "10", "spec", "drift", "--json", "--threads", "3"]
        result = cli(*args, "--items-per-thread", "2")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == []


def test_a_thread_deleted_while_sampling_is_skipped() -> None:
    class GoneItems(MockApi):
        async def list_items(self, request: Request) -> Response:
            if request.path_params["thread_id"] == "cthr_2":
                return error_response(404, "Thread not found.", type="invalid_request_error")
            return await super().list_items(request)

    for cli in serve(seed="none", api_class=GoneItems):
        _add_raw(cli.server, *_drifting_data())
        result = cli("spec", "drift", "--json")
        assert result.exit_code == 1, result.output
        items = {
            r["path"]: r["total"]
            for r in json.loads(result.output)
            if r["operation"] == "listThreadItems"
        }
        # Thread 2's items were not read: 12 items of 4 threads.
        assert set(items.values()) == {12}


def test_a_drifting_object_field_is_replayed_as_written(tmp_path: Path) -> None:
    thread = _thread(0)
    thread["object"] = "thread"
    item = _item(0, 0)
    del item["object"]
    fixture = tmp_path / "f.jsonl"
    fixture.write_text(json.dumps(thread) + "\n" + json.dumps(item) + "\n")
    # Read over plain HTTP: the client rightly refuses a body that is not the object
    # it asked for; here only what the mock serves matters.
    with MockServer(
        seed="none", fixtures=[str(fixture)], allow_drift=True, require_beta_header=False
    ) as server:
        auth = {"Authorization": f"Bearer {server.api_key}"}
        got = httpx.get(f"{server.base_url}/chatkit/threads/cthr_0", headers=auth)
        assert got.json() == thread
        listed = httpx.get(f"{server.base_url}/chatkit/threads/cthr_0/items", headers=auth)
        assert listed.json()["data"] == [item]


def test_a_drifting_list_envelope_is_reported() -> None:
    class OddEnvelope(MockApi):
        async def list_threads(self, request: Request) -> Response:
            answer = await super().list_threads(request)
            body = json.loads(bytes(answer.body))
            body["object"] = "thread_list"
            del body["first_id"]
            return self.json(json.dumps(body))

    for cli in serve(api_class=OddEnvelope):
        result = cli("spec", "drift", "--json", "--threads", "2", "--items-per-thread", "1")
        assert result.exit_code == 1, result.output
        rows = {
            (r["operation"], r["path"], r["count"], r["total"]) for r in json.loads(result.output)
        }
        assert ("listThreads", "$.object", 2, 2) in rows
        assert ("listThreads", "$.first_id", 2, 2) in rows
        assert {operation for operation, *_ in rows} == {"listThreads"}
