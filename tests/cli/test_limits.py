"""The CLI's page-size and order options follow the spec's `limit` and `order`."""

from __future__ import annotations

from typing import Any

from chatkit_threads_cli.limits import DEFAULT_ORDER, ORDERS, PAGE_DEFAULT, PAGE_MAX, PAGE_MIN
from chatkit_threads_spec import load_spec

from .conftest import Cli


def _list_schemas(name: str) -> list[dict[str, Any]]:
    """The rules of query parameter `name` on each operation that has it (spec model)."""
    return [
        {
            "minimum": parameter.minimum,
            "maximum": parameter.maximum,
            "default": parameter.default,
            "enum": parameter.enum,
        }
        for operation in load_spec().operations
        for parameter in operation.query
        if parameter.name == name
    ]


def test_bounds_are_the_specs() -> None:
    limits = _list_schemas("limit")
    assert limits
    assert max(schema["minimum"] for schema in limits) == PAGE_MIN
    assert min(schema["maximum"] for schema in limits) == PAGE_MAX
    assert {schema["default"] for schema in limits} == {PAGE_DEFAULT}


def test_orders_are_the_specs() -> None:
    orders = _list_schemas("order")
    assert orders
    assert all(list(schema["enum"]) == list(ORDERS) for schema in orders)
    assert {schema["default"] for schema in orders} == {DEFAULT_ORDER}


def test_the_list_defaults_are_the_specs(cli: Cli) -> None:
    help_text = cli("threads", "list", "--help").output
    assert "<" + "|".join(ORDERS) + ">" in help_text
    assert f"[default: {DEFAULT_ORDER}]" in help_text
    assert f"[default: {PAGE_DEFAULT}]" in help_text


def test_an_order_the_spec_does_not_have_is_a_usage_error(cli: Cli) -> None:
    result = cli("threads", "list", "--order", "sideways")
    assert result.exit_code == 2
    assert all(cli("threads", "list", "--order", order).exit_code == 0 for order in ORDERS)


def test_a_limit_past_the_bound_is_a_usage_error(cli: Cli) -> None:
    result = cli("threads", "list", "--limit", str(PAGE_MAX + 1))
    assert result.exit_code == 2
    assert cli("threads", "list", "--limit", str(PAGE_MAX)).exit_code == 0
