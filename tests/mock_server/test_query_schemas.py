"""Query parameters of any type the spec may add are checked against their schema."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pytest

from chatkit_threads_mock.app import MockApi
from chatkit_threads_mock.errors import Reject
from chatkit_threads_mock.query import query_items
from chatkit_threads_mock.store import ThreadStore
from chatkit_threads_spec import Parameter, build_parameter


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
