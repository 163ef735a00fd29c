"""Query parameters of any type the spec may add are checked against their schema."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pytest
from starlette.testclient import TestClient

from chatkit_threads_mock.app import MockApi, create_app
from chatkit_threads_mock.errors import Reject
from chatkit_threads_mock.query import query_items
from chatkit_threads_mock.store import ThreadStore
from chatkit_threads_spec import Parameter, build_parameter
from tests.spec_facts import query_param

from .conftest import HEADERS

LIMIT_DEFAULT = int(query_param("listThreads", "limit").default)


@pytest.fixture
def api() -> MockApi:
    return MockApi(ThreadStore(), ["sk-test"])


def _param(schema: dict[str, Any]) -> Parameter:
    return build_parameter({"name": "extra", "in": "query", "schema": schema})


@pytest.mark.parametrize(
    ("schema", "text", "value"),
    [
        ({"type": "boolean"}, "true", True),
        ({"type": "boolean"}, "false", False),
        ({"type": "number", "minimum": 0, "maximum": 1}, "0.5", 0.5),
        ({"type": "string", "pattern": "^[a-z]+$"}, "abc", "abc"),
    ],
)
def test_valid_values_are_converted(
    api: MockApi, schema: dict[str, Any], text: str, value: object
) -> None:
    assert api.check_param(_param(schema), text) == value


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        ({"type": "boolean"}, "yes"),
        ({"type": "number"}, "abc"),
        ({"type": "number"}, "nan"),
        ({"type": "number", "maximum": 1}, "2"),
        ({"type": "string", "pattern": "^[a-z]+$"}, "ABC"),
    ],
)
def test_invalid_values_are_a_400_naming_the_parameter(
    api: MockApi, schema: dict[str, Any], text: str
) -> None:
    with pytest.raises(Reject) as caught:
        api.check_param(_param(schema), text)
    response = caught.value.response
    assert response.status_code == 400
    assert b"'extra'" in bytes(response.body)


@pytest.mark.parametrize(
    "query",
    [
        *("", "limit=5", "limit=5&order=asc&limit=", "&&limit", "a=b=c", "=x", "a&b=&="),
        *("x=%41+b", "é=ü&&"),
    ],
)
def test_query_items_are_what_parse_qsl_gives(query: str) -> None:
    # The mock splits unescaped query strings itself; the result must not differ.
    assert query_items(query) == parse_qsl(query, keep_blank_values=True)


def test_a_repeated_query_gets_the_same_answer_each_time(client: TestClient) -> None:
    # `MockApi.params` keeps the checked values of query strings it has seen: a repeat
    # must answer as the first did, a refused value each time.
    for _ in range(3):
        response = client.get("/chatkit/threads", params={"limit": LIMIT_DEFAULT})
        assert response.status_code == 200
        assert len(response.json()["data"]) <= LIMIT_DEFAULT
        refused = client.get("/chatkit/threads", params={"limit": "x"})
        assert refused.status_code == 400
        assert refused.json()["error"]["param"] == "limit"


def test_a_subclass_check_param_sees_every_request() -> None:
    seen: list[str | None] = []

    class Counting(MockApi):
        def check_param(self, parameter: Parameter, text: str | None) -> Any:
            seen.append(text)
            return super().check_param(parameter, text)

    app = create_app(api_class=Counting)
    with TestClient(app, base_url="http://127.0.0.1/v1", headers=HEADERS) as client:
        for _ in range(2):
            assert client.get("/chatkit/threads", params={"limit": "3"}).status_code == 200
    assert seen.count("3") == 2


def test_a_repeated_parameter_is_refused_naming_it(client: TestClient) -> None:
    for _ in range(2):  # the second time from a query string seen before
        response = client.get("/chatkit/threads?order=asc&limit=1&limit=2")
        assert response.status_code == 400
        assert response.json()["error"]["param"] == "limit"
        assert "2 times" in response.json()["error"]["message"]
