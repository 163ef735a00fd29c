"""Storage: file databases, concurrent clients, fixtures and seeds."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatkit_threads_mock import (
    DEFAULT_API_KEY,
    FixtureError,
    MockServer,
    ThreadStore,
    apply_seed,
    default_threads,
    fixtures,
    load_fixtures,
    project_for_key,
)
from chatkit_threads_spec import Spec, build_spec, load_document

from .conftest import HEADERS

PROJECT = project_for_key(DEFAULT_API_KEY)


def test_a_file_database_survives_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "mock.db")
    with (
        MockServer(db_path=db) as server,
        httpx.Client(base_url=server.base_url, headers=HEADERS) as client,
    ):
        ids = [t["id"] for t in client.get("/chatkit/threads").json()["data"]]
        assert client.delete(f"/chatkit/threads/{ids[0]}").status_code == 200
    with (
        MockServer(db_path=db) as server,
        httpx.Client(base_url=server.base_url, headers=HEADERS) as client,
    ):
        after = [t["id"] for t in client.get("/chatkit/threads").json()["data"]]
        # Same data, and the deleted thread is not brought back by re-seeding.
        assert after == ids[1:]
        assert client.get(f"/chatkit/threads/{ids[0]}").status_code == 404


def test_concurrent_clients_on_a_file_database_lose_no_delete(tmp_path: Path) -> None:
    db = str(tmp_path / "mock.db")
    # Two servers share one file, as two processes would; six clients race to delete
    # every thread while listing. Each thread must be deleted exactly once.
    with MockServer(db_path=db) as one, MockServer(db_path=db) as two:
        with httpx.Client(base_url=one.base_url, headers=HEADERS) as client:
            ids = [t["id"] for t in client.get("/chatkit/threads").json()["data"]]
        outcomes: list[tuple[str, int]] = []
        failures: list[BaseException] = []
        lock = threading.Lock()

        def worker(base_url: str) -> None:
            try:
                with httpx.Client(base_url=base_url, headers=HEADERS, timeout=30) as client:
                    for thread_id in ids:
                        listed = client.get("/chatkit/threads", params={"limit": 100})
                        assert listed.status_code == 200, listed.text
                        status = client.delete(f"/chatkit/threads/{thread_id}").status_code
                        with lock:
                            outcomes.append((thread_id, status))
            except BaseException as error:
                failures.append(error)

        workers = [
            threading.Thread(target=worker, args=(server.base_url,))
            for server in (one, two, one, two, one, two)
        ]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
        assert failures == []
        for thread_id in ids:
            statuses = sorted(status for tid, status in outcomes if tid == thread_id)
            assert statuses == [200, 404, 404, 404, 404, 404], thread_id
        with httpx.Client(base_url=two.base_url, headers=HEADERS) as client:
            assert client.get("/chatkit/threads").json()["data"] == []
    store = ThreadStore(db)
    assert store._db.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def _write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


def _fixture_records() -> list[dict[str, Any]]:
    threads, items = default_threads("proj_fixture0000")
    thread = dict(threads[0], id="cthr_fixture_1")
    item = dict(items[0], id="cthi_fixture_1", thread_id="cthr_fixture_1")
    return [thread, item]


def test_fixtures_load_threads_and_items(tmp_path: Path) -> None:
    store = ThreadStore()
    path = _write_jsonl(tmp_path / "f.jsonl", _fixture_records())
    assert load_fixtures(store, DEFAULT_API_KEY, path) == (1, 1)
    assert (
        json.loads(store.get_thread(PROJECT, "cthr_fixture_1") or "null")["id"] == "cthr_fixture_1"
    )
    page = store.list_items(PROJECT, "cthr_fixture_1")
    assert page is not None and page.ids == ["cthi_fixture_1"]


@pytest.mark.parametrize(
    ("broken_line", "reason"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ({"object": "chatkit.session"}, "'object' must be one of"),
        ({"object": "chatkit.thread", "id": "cthr_x"}, "required field is missing"),
        (
            {**_fixture_records()[0], "id": "cthr_y", "status": {"type": "closed"}},
            "at $.status.reason: required field is missing",
        ),
        (
            {**_fixture_records()[1], "id": "cthi_y", "content": [{"type": "input_text"}]},
            "at $.content[0].text: required field is missing",
        ),
        (
            {**_fixture_records()[1], "id": "cthi_orphan", "thread_id": "cthr_nowhere"},
            "thread 'cthr_nowhere' is neither earlier in the file",
        ),
        (_fixture_records()[0], "appears twice in the file"),
    ],
)
def test_a_bad_fixture_line_is_named_and_nothing_is_loaded(
    tmp_path: Path, broken_line: Any, reason: str
) -> None:
    store = ThreadStore()
    path = _write_jsonl(tmp_path / "f.jsonl", [*_fixture_records(), broken_line])
    with pytest.raises(FixtureError) as raised:
        load_fixtures(store, DEFAULT_API_KEY, path)
    assert raised.value.line == 3
    assert reason in str(raised.value)
    assert f"{path}, line 3" in str(raised.value)
    assert store.list_threads(PROJECT).ids == []
    assert store._db.execute("SELECT count(*) FROM items").fetchone()[0] == 0


def test_fixtures_cannot_overwrite_stored_threads(tmp_path: Path) -> None:
    store = ThreadStore()
    path = _write_jsonl(tmp_path / "f.jsonl", _fixture_records())
    load_fixtures(store, DEFAULT_API_KEY, path)
    with pytest.raises(FixtureError, match="line 1: thread 'cthr_fixture_1' is already stored"):
        load_fixtures(store, DEFAULT_API_KEY, path)


@pytest.mark.parametrize(
    "seed", ["synthetic", "synthetic:x", "synthetic:-1", "synthetic:1:2:3", "lots", "default:3"]
)
def test_a_bad_seed_is_refused(seed: str) -> None:
    with pytest.raises(ValueError, match="seed"):
        apply_seed(ThreadStore(), seed, [DEFAULT_API_KEY])


def test_seeds_are_deterministic() -> None:
    first, second = ThreadStore(), ThreadStore()
    for store in (first, second):
        apply_seed(store, "default", [DEFAULT_API_KEY])
        apply_seed(store, "synthetic:50:3", [DEFAULT_API_KEY])
    dump = "SELECT id, body FROM threads ORDER BY id"
    assert first._db.execute(dump).fetchall() == second._db.execute(dump).fetchall()
    assert len(first.list_threads(PROJECT, limit=100).ids) == 62


def test_every_page_query_is_an_index_range_search() -> None:
    # A page must cost O(limit) at a million rows: each query the store sends must be a
    # SEARCH on an index that also gives the order (no SCAN, no temporary sort).
    store = ThreadStore()
    apply_seed(store, "default", [DEFAULT_API_KEY])
    thread_id = store.list_threads(PROJECT, user="user_bob").ids[0]
    item_id = (store.list_items(PROJECT, thread_id) or pytest.fail("no items")).ids[0]
    plans: list[str] = []
    store._db.set_trace_callback(
        lambda sql: (
            plans.extend(
                str(row[3]) for row in store._db.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            )
            if sql.startswith("SELECT id, body") and "?" not in sql
            else None
        )
    )
    for order in ("asc", "desc"):
        store.list_threads(PROJECT, order=order, after=thread_id)
        store.list_threads(PROJECT, order=order, before=thread_id, user="user_bob")
        store.list_items(PROJECT, thread_id, order=order, after=item_id)
        store.list_items(PROJECT, thread_id, order=order, before=item_id)
    store._db.set_trace_callback(None)
    assert len(plans) >= 8
    for plan in plans:
        # The table's own key (rows stored in list order) or an index: a range search.
        assert plan.startswith("SEARCH"), plan
        assert "USING INDEX" in plan or "USING PRIMARY KEY" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


def test_a_second_synthetic_size_on_one_database_is_refused(tmp_path: Path) -> None:
    store = ThreadStore(tmp_path / "mock.db")
    apply_seed(store, "synthetic:20", [DEFAULT_API_KEY])
    apply_seed(store, "synthetic:20", [DEFAULT_API_KEY])  # the same set again: a no-op
    with pytest.raises(ValueError, match="already holds a different synthetic set"):
        apply_seed(store, "synthetic:30", [DEFAULT_API_KEY])
    assert len(store.list_threads(PROJECT, limit=100).ids) == 20


def _spec_with_uri_formats() -> Spec:
    """The bundled spec with `format: uri` on the two URL fields (as OpenAI's has)."""
    document = load_document()
    schemas = document["components"]["schemas"]
    schemas["Attachment"]["properties"]["preview_url"]["format"] = "uri"
    schemas["UrlAnnotationSource"]["properties"]["url"]["format"] = "uri"
    return build_spec(document)


def _with_url_annotation(value: str) -> dict[str, Any]:
    """A seeded item holding a url annotation, its url replaced by `value`."""
    _, items = default_threads("proj_fixture0000")
    text = json.dumps(
        next(i for i in items if '"type": "url"' in json.dumps(i))
        | {"id": "cthi_url", "thread_id": "cthr_fixture_1"}
    )
    item: dict[str, Any] = json.loads(text)
    for part in item["content"]:
        for annotation in part.get("annotations", []):
            if annotation["source"]["type"] == "url":
                annotation["source"]["url"] = value
    return item


@pytest.mark.parametrize(
    ("record", "where"),
    [
        (
            {
                **_fixture_records()[1],
                "id": "cthi_bad_url",
                "attachments": [
                    {**_fixture_records()[1]["attachments"][0], "preview_url": "not a uri"}
                ],
            },
            "at $.attachments[0].preview_url: a URI expected, got 'not a uri'",
        ),
        (
            _with_url_annotation("//no-scheme/page"),
            ".source.url: a URI expected, got '//no-scheme/page'",
        ),
    ],
)
def test_a_fixture_field_that_breaks_its_format_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record: dict[str, Any], where: str
) -> None:
    spec = _spec_with_uri_formats()
    monkeypatch.setattr(fixtures, "load_spec", lambda path=None: spec)
    path = _write_jsonl(tmp_path / "f.jsonl", [*_fixture_records(), record])
    with pytest.raises(FixtureError, match="line 3") as raised:
        load_fixtures(ThreadStore(), DEFAULT_API_KEY, path)
    assert where in str(raised.value)
    # A good URI in the same places loads.
    fine = _write_jsonl(
        tmp_path / "ok.jsonl", [*_fixture_records(), _with_url_annotation("https://example.com/a")]
    )
    assert load_fixtures(ThreadStore(), DEFAULT_API_KEY, fine) == (1, 2)


def test_fixture_kinds_are_the_specs_resources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = load_document()
    document["components"]["schemas"]["ThreadResource"]["properties"]["object"]["const"] = (
        "chatkit.chat"
    )
    spec = build_spec(document)
    monkeypatch.setattr(fixtures, "load_spec", lambda path=None: spec)
    assert {k: r.parent for k, r in spec.resources.items()} == {
        "chatkit.chat": None,
        "chatkit.thread_item": "thread_id",
    }
    thread, item = _fixture_records()
    renamed = _write_jsonl(tmp_path / "f.jsonl", [{**thread, "object": "chatkit.chat"}, item])
    assert load_fixtures(ThreadStore(), DEFAULT_API_KEY, renamed) == (1, 1)
    with pytest.raises(FixtureError, match="'object' must be one of"):
        load_fixtures(ThreadStore(), DEFAULT_API_KEY, _write_jsonl(tmp_path / "g.jsonl", [thread]))
