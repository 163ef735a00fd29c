"""The four operations behave as the reference pages and the spec say."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from chatkit_threads_mock import DEFAULT_API_KEY, create_app
from tests.spec_facts import BETA_HEADER, BETA_VALUE, query_param

from .conftest import HEADERS, OTHER_HEADERS, assert_conforms

LIMIT = query_param("listThreads", "limit")
LIMIT_MIN, LIMIT_MAX = int(LIMIT.minimum or 0), int(LIMIT.maximum or 0)
LIMIT_DEFAULT = int(LIMIT.default)
ORDER_DEFAULT = query_param("listThreads", "order").default
USER_MAX_LENGTH = query_param("listThreads", "user").max_length or 0


def _list(client: TestClient, **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = assert_conforms(
        "listThreads", client.get("/chatkit/threads", params=params)
    )
    return body


def test_list_defaults_to_the_specs_order_and_limit(client: TestClient) -> None:
    page = _list(client)
    keys = [(t["created_at"], t["id"]) for t in page["data"]]
    assert keys == sorted(keys, reverse=ORDER_DEFAULT == "desc")
    seeded = len(_list(client, limit=LIMIT_MAX)["data"])  # the default seed: 12 threads
    assert len(page["data"]) == min(seeded, LIMIT_DEFAULT)
    assert page["has_more"] is (seeded > LIMIT_DEFAULT)
    assert page["first_id"] == page["data"][0]["id"]
    assert page["last_id"] == page["data"][-1]["id"]
    assert page == _list(client, order=ORDER_DEFAULT, limit=LIMIT_DEFAULT)


def test_seed_covers_every_status_and_item_variant(client: TestClient) -> None:
    threads = _list(client, limit=LIMIT_MAX)["data"]
    statuses = {(t["status"]["type"], t["status"].get("reason") is None) for t in threads}
    assert statuses >= {("active", True), ("locked", True), ("locked", False)}
    assert statuses >= {("closed", True), ("closed", False)}
    assert {t["title"] is None for t in threads} == {True, False}
    seen: set[str] = set()
    for thread in threads:
        items = client.get(f"/chatkit/threads/{thread['id']}/items", params={"limit": LIMIT_MAX})
        for item in assert_conforms("listThreadItems", items)["data"]:
            seen.add(item["type"])
            for part in item.get("content", []):
                seen.add(part["type"])
                seen.update(a["type"] + "_annotation" for a in part.get("annotations", []))
            seen.update(a["type"] + "_attachment" for a in item.get("attachments", []))
            if item["type"] == "chatkit.client_tool_call":
                seen.add("tool_" + item["status"])
            if item["type"] == "chatkit.task":
                seen.add("task_" + item["task_type"])
    assert seen >= {
        "chatkit.user_message",
        "chatkit.assistant_message",
        "chatkit.widget",
        "chatkit.client_tool_call",
        "chatkit.task",
        "chatkit.task_group",
        "input_text",
        "quoted_text",
        "output_text",
        "file_annotation",
        "url_annotation",
        "image_attachment",
        "file_attachment",
        "tool_in_progress",
        "tool_completed",
        "task_custom",
        "task_thought",
    }


def test_cursors_are_exclusive_in_both_orders(client: TestClient) -> None:
    for order in ("asc", "desc"):
        everything = [t["id"] for t in _list(client, order=order, limit=LIMIT_MAX)["data"]]
        middle = everything[5]
        after = [t["id"] for t in _list(client, order=order, after=middle, limit=LIMIT_MAX)["data"]]
        before = [
            t["id"] for t in _list(client, order=order, before=middle, limit=LIMIT_MAX)["data"]
        ]
        assert after == everything[6:]
        assert before == everything[:5]
        page = _list(client, order=order, before=middle, limit=2)
        assert [t["id"] for t in page["data"]] == everything[3:5]
        assert page["has_more"] is True
        between = _list(client, order=order, after=everything[1], before=everything[5])
        assert [t["id"] for t in between["data"]] == everything[2:5]


def test_limit_zero_and_hundred(client: TestClient) -> None:
    empty = _list(client, limit=0)
    assert empty["data"] == [] and empty["first_id"] is None and empty["last_id"] is None
    assert empty["has_more"] is True
    assert len(_list(client, limit=LIMIT_MAX)["data"]) == 12


def test_user_filter_returns_only_that_users_threads(client: TestClient) -> None:
    page = _list(client, user="user_bob", limit=LIMIT_MAX)
    assert page["data"] and {t["user"] for t in page["data"]} == {"user_bob"}
    assert _list(client, user="nobody")["data"] == []


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": str(LIMIT_MAX + 1)}, "limit"),
        ({"limit": str(LIMIT_MIN - 1)}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": "9" * 400}, "limit"),
        ({"order": "sideways"}, "order"),
        ({"order": ""}, "order"),
        ({"limit": ""}, "limit"),
        ({"user": ""}, "user"),
        ({"user": "u" * (USER_MAX_LENGTH + 1)}, "user"),
        ({"after": "cthr_nowhere"}, "after"),
        ({"before": "cthr_nowhere"}, "before"),
        ({"limit": ["1", "2"]}, "limit"),
        ({"limit": "+5"}, "limit"),
        ({"limit": "-0001"}, "limit"),
    ],
)
def test_invalid_parameters_get_a_400_naming_them(
    client: TestClient, params: dict[str, Any], param: str
) -> None:
    response = client.get("/chatkit/threads", params=params)
    assert response.status_code == 400
    assert assert_conforms("listThreads", response)["error"]["param"] == param


def test_retrieve_and_its_items(client: TestClient) -> None:
    thread = _list(client)["data"][0]
    assert (
        assert_conforms("retrieveThread", client.get(f"/chatkit/threads/{thread['id']}")) == thread
    )
    items = assert_conforms("listThreadItems", client.get(f"/chatkit/threads/{thread['id']}/items"))
    assert items["data"] and {i["thread_id"] for i in items["data"]} == {thread["id"]}
    bad = client.get(f"/chatkit/threads/{thread['id']}/items", params={"after": "cthi_elsewhere"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "after"


def test_delete_removes_the_thread_and_its_items(client: TestClient) -> None:
    thread_id = _list(client)["data"][3]["id"]
    deleted = assert_conforms("deleteThread", client.delete(f"/chatkit/threads/{thread_id}"))
    assert deleted == {"id": thread_id, "object": "chatkit.thread.deleted", "deleted": True}
    for method, path, op in [
        ("GET", f"/chatkit/threads/{thread_id}", "retrieveThread"),
        ("GET", f"/chatkit/threads/{thread_id}/items", "listThreadItems"),
        ("DELETE", f"/chatkit/threads/{thread_id}", "deleteThread"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 404
        assert assert_conforms(op, response)["error"]["param"] == "thread_id"
    assert thread_id not in [t["id"] for t in _list(client, limit=LIMIT_MAX)["data"]]
    assert len(_list(client, limit=LIMIT_MAX)["data"]) == 11


def test_unknown_ids_are_404_not_500(client: TestClient) -> None:
    for thread_id in ("cthr_missing", "..", "x" * 5000, "%C3%A9t%C3%A9", "a b"):
        response = client.get(f"/chatkit/threads/{thread_id}")
        assert response.status_code == 404
        assert_conforms("retrieveThread", response)


def test_auth_is_required_and_the_key_never_echoed(client: TestClient) -> None:
    missing = client.get("/chatkit/threads", headers={"Authorization": ""})
    assert missing.status_code == 401
    assert_conforms("listThreads", missing)
    wrong = client.get("/chatkit/threads", headers={"Authorization": "Bearer sk-secret-123456"})
    assert wrong.status_code == 401
    assert "sk-secret" not in wrong.text
    basic = client.get("/chatkit/threads", headers={"Authorization": f"Basic {DEFAULT_API_KEY}"})
    assert basic.status_code == 401


def test_each_key_sees_only_its_own_threads(client: TestClient) -> None:
    mine = {t["id"] for t in _list(client, limit=LIMIT_MAX)["data"]}
    theirs_page = client.get("/chatkit/threads", params={"limit": LIMIT_MAX}, headers=OTHER_HEADERS)
    theirs = {t["id"] for t in theirs_page.json()["data"]}
    assert mine and theirs and not mine & theirs
    one_of_mine = sorted(mine)[0]
    for method, path in [
        ("GET", f"/chatkit/threads/{one_of_mine}"),
        ("GET", f"/chatkit/threads/{one_of_mine}/items"),
        ("DELETE", f"/chatkit/threads/{one_of_mine}"),
    ]:
        assert client.request(method, path, headers=OTHER_HEADERS).status_code == 404
    assert client.get(f"/chatkit/threads/{one_of_mine}").status_code == 200


def test_beta_header_is_required_unless_switched_off() -> None:
    auth = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    with TestClient(create_app(), base_url="http://127.0.0.1/v1") as strict:
        for beta in ({}, {BETA_HEADER: f"not-{BETA_VALUE}"}):
            response = strict.get("/chatkit/threads", headers=auth | beta)
            assert response.status_code == 400
            assert assert_conforms("listThreads", response)["error"]["param"] == BETA_HEADER
    with TestClient(create_app(require_beta_header=False), base_url="http://127.0.0.1/v1") as lax:
        assert lax.get("/chatkit/threads", headers=auth).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/chatkit/threads", 405),
        ("PUT", "/chatkit/threads/cthr_1", 405),
        ("PATCH", "/chatkit/threads/cthr_1/items", 405),
        ("GET", "/chatkit/threads/a%2Fb", 404),
        ("GET", "/chatkit/threads/", 404),
        ("DELETE", "/chatkit/threads/", 404),
        ("GET", "/chatkit/threads//items", 404),
        ("GET", "/chatkit/threads/a/b/c", 404),
        ("GET", "/chatkit/nothing", 404),
        ("GET", "/", 404),
    ],
)
def test_wrong_methods_and_routes_get_an_envelope(
    client: TestClient, method: str, path: str, status: int
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"]
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    if status == 405:
        assert "GET" in response.headers["allow"]


def test_odd_query_encodings_are_handled(client: TestClient) -> None:
    for query in ("limit=%FF", "order=%00", "after=%E2%82", "limit=1&&&=", "user=%F0%9F%98%80"):
        response = client.get(f"/chatkit/threads?{query}")
        assert response.status_code < 500, query
        assert response.headers["content-type"] == "application/json"


def test_a_crash_becomes_a_500_envelope() -> None:
    from chatkit_threads_mock import MockApi

    class Crashing(MockApi):
        async def retrieve_thread(self, request: Any) -> Any:
            raise RuntimeError("boom")

    app = create_app(api_class=Crashing)
    with TestClient(app, base_url="http://127.0.0.1/v1", headers=HEADERS) as crashing:
        response = crashing.get("/chatkit/threads/cthr_x")
    assert response.status_code == 500
    assert response.json()["error"]["type"] == "server_error"
    assert "boom" not in response.text


def test_an_encoded_slash_stays_inside_the_thread_id(client: TestClient) -> None:
    thread_id = _list(client)["data"][0]["id"]
    # Decoded naively, this would be the items route of a real thread.
    for path in (f"/chatkit/threads/{thread_id}%2Fitems", f"/chatkit/threads/{thread_id}%2fitems"):
        response = client.get(path)
        assert response.status_code == 404
        error = assert_conforms("retrieveThread", response)["error"]
        assert error["param"] == "thread_id"
        assert f"'{thread_id}/items'" in error["message"]
    deleted = client.delete(f"/chatkit/threads/{thread_id}%2F..")
    assert deleted.status_code == 404
    assert client.get(f"/chatkit/threads/{thread_id}").status_code == 200


def test_a_thread_id_with_a_slash_is_served_from_fixtures_exactly() -> None:
    from chatkit_threads_mock import ThreadStore, project_for_key

    store = ThreadStore()
    thread = {
        "id": "cthr_a/b",
        "object": "chatkit.thread",
        "created_at": 1,
        "title": None,
        "status": {"type": "active"},
        "user": "u",
    }
    store.add(project_for_key(DEFAULT_API_KEY), [thread])
    with TestClient(create_app(store), base_url="http://127.0.0.1/v1", headers=HEADERS) as c:
        assert assert_conforms("retrieveThread", c.get("/chatkit/threads/cthr_a%2Fb")) == thread
        items = c.get("/chatkit/threads/cthr_a%2Fb/items")
        assert assert_conforms("listThreadItems", items)["data"] == []
        assert c.get("/chatkit/threads/cthr_a/b").status_code == 404
        # A `%2F` in the query string leaves the path alone: `%25` is still a literal `%`.
        missing = c.get("/chatkit/threads/cthr_a%2541/items", params={"after": "x/y"})
        assert missing.status_code == 404 and "'cthr_a%41'" in missing.json()["error"]["message"]


def test_create_app_takes_a_store_factory_and_seeds_what_it_makes() -> None:
    from chatkit_threads_mock import ThreadStore

    made: list[ThreadStore] = []

    class Counting(ThreadStore):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    app = create_app(Counting)
    assert made == [app.store] and app.owns_store
    with TestClient(app, base_url="http://127.0.0.1/v1", headers=HEADERS) as c:
        assert len(c.get("/chatkit/threads").json()["data"]) == 12
    given = ThreadStore()
    served = create_app(given)
    assert served.store is given and not served.owns_store
    assert given.list_threads("anything").ids == []  # an instance is served unseeded
    with pytest.raises(ValueError, match="db_path"):
        create_app(given, db_path="x.db")
    with pytest.raises(TypeError, match="not a ThreadStore"):
        create_app(lambda: object())  # type: ignore[arg-type,return-value]


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_deleting_each_listed_thread_while_paging_reaches_the_end(
    client: TestClient, order: str
) -> None:
    # The common "delete everything" loop: the cursor it sends next is a deleted thread.
    everything = [t["id"] for t in _list(client, order=order, limit=LIMIT_MAX)["data"]]
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 5, "order": order}
    while True:
        page = _list(client, **params)
        for thread in page["data"]:
            assert client.delete(f"/chatkit/threads/{thread['id']}").status_code == 200
        seen += [t["id"] for t in page["data"]]
        if not page["has_more"]:
            break
        params["after"] = page["last_id"]
    assert seen == everything
    assert _list(client)["data"] == []
    # A deleted thread is a cursor of its own listing only: another key still gets a 400.
    other = client.get("/chatkit/threads", params={"after": seen[0]}, headers=OTHER_HEADERS)
    assert other.status_code == 400 and other.json()["error"]["param"] == "after"


@pytest.mark.parametrize(
    ("limit", "code", "expected"),
    [
        (
            str(LIMIT_MAX + 1),
            "integer_above_max_value",
            f"Expected a value <= {LIMIT_MAX}, but got '{LIMIT_MAX + 1}' instead.",
        ),
        ("9" * 5000, "integer_above_max_value", "but got '9999999999"),
        (
            str(LIMIT_MIN - 3),
            "integer_below_min_value",
            f"Expected a value >= {LIMIT_MIN}, but got '{LIMIT_MIN - 3}' instead.",
        ),
        (
            "2.5",
            "invalid_type",
            f"expected an integer from {LIMIT_MIN} to {LIMIT_MAX}, but got '2.5' instead.",
        ),
    ],
)
def test_limit_errors_are_worded_as_the_api_words_them(
    client: TestClient, limit: str, code: str, expected: str
) -> None:
    error = client.get("/chatkit/threads", params={"limit": limit}).json()["error"]
    assert (error["param"], error["code"]) == ("limit", code)
    assert error["message"].startswith("Invalid 'limit': ") and expected in error["message"]
    assert len(error["message"]) < 200


def test_limits_with_leading_zeros_are_integers(client: TestClient) -> None:
    assert len(_list(client, limit="007")["data"]) == 7
    assert _list(client, limit="-0")["data"] == []


def _query_schema(name: str) -> dict[str, Any]:
    """The rules of a query parameter of the thread listing, as the spec model gives them."""
    from chatkit_threads_spec import load_spec

    listing = next(
        o for o in load_spec().operations if o.method == "GET" and not o.parameters_in("path")
    )
    p = next(p for p in listing.query if p.name == name)
    rules = {
        "minimum": p.minimum,
        "maximum": p.maximum,
        "default": p.default,
        "enum": p.enum,
        "minLength": p.min_length,
        "maxLength": p.max_length,
    }
    return {key: value for key, value in rules.items() if value is not None}


def test_limit_bounds_and_default_are_the_specs() -> None:
    limit = _query_schema("limit")
    app = create_app(seed=f"synthetic:{limit['maximum'] + 5}")
    with TestClient(app, base_url="http://127.0.0.1/v1", headers=HEADERS) as client:
        assert len(client.get("/chatkit/threads").json()["data"]) == limit["default"]
        top = client.get("/chatkit/threads", params={"limit": limit["maximum"]})
        assert len(top.json()["data"]) == limit["maximum"]
        over = client.get("/chatkit/threads", params={"limit": limit["maximum"] + 1})
        assert f"<= {limit['maximum']}" in over.json()["error"]["message"]
        under = client.get("/chatkit/threads", params={"limit": limit["minimum"] - 1})
        assert f">= {limit['minimum']}" in under.json()["error"]["message"]


def test_order_and_user_checks_are_the_specs(client: TestClient) -> None:
    order, user = _query_schema("order"), _query_schema("user")
    for value in order["enum"]:
        assert client.get("/chatkit/threads", params={"order": value}).status_code == 200
    too_long = client.get("/chatkit/threads", params={"user": "u" * (user["maxLength"] + 1)})
    assert f"{user['minLength']} to {user['maxLength']}" in too_long.json()["error"]["message"]


@pytest.mark.parametrize(
    ("schema", "good", "bad", "said"),
    [
        ({"type": "integer", "minimum": 1, "maximum": 7}, "7", "8", "<= 7"),
        ({"type": "integer", "minimum": 1, "maximum": 7}, "1", "0", ">= 1"),
        ({"type": "string", "enum": ["asc", "desc", "relevance"]}, "relevance", "up", "'up'"),
        ({"type": "string", "minLength": 2, "maxLength": 3}, "abc", "abcd", "2 to 3"),
    ],
)
def test_query_checks_follow_the_schema_they_are_given(
    schema: dict[str, Any], good: str, bad: str, said: str
) -> None:
    from chatkit_threads_mock import MockApi, Reject, ThreadStore
    from chatkit_threads_spec import build_parameter

    api = MockApi(ThreadStore(), [DEFAULT_API_KEY])
    parameter = build_parameter({"name": "p", "in": "query", "schema": schema})
    assert str(api.check_param(parameter, good)) == good
    with pytest.raises(Reject) as refused:
        api.check_param(parameter, bad)
    error = json.loads(bytes(refused.value.response.body))["error"]
    assert error["param"] == "p" and said in error["message"]


def test_the_beta_header_value_is_the_specs(client: TestClient) -> None:
    from chatkit_threads_mock import BETA_HEADER_VALUE
    from chatkit_threads_spec import load_document

    beta = load_document()["components"]["parameters"]["OpenAIBeta"]["schema"]["enum"]
    assert beta == [BETA_HEADER_VALUE]
    wrong = client.get("/chatkit/threads", headers={BETA_HEADER: f"not-{BETA_VALUE}"})
    assert wrong.status_code == 400 and wrong.json()["error"]["param"] == BETA_HEADER
