"""The CLI's page-size options follow the spec's `limit` bounds."""

from __future__ import annotations

from chatkit_threads_cli.limits import PAGE_MAX, PAGE_MIN
from chatkit_threads_mock.schema import operations

from .conftest import Cli


def test_bounds_are_the_specs() -> None:
    limits = [
        parameter.schema
        for operation in operations()
        for parameter in operation.parameters_in("query")
        if parameter.name == "limit"
    ]
    assert limits
    assert max(schema["minimum"] for schema in limits) == PAGE_MIN
    assert min(schema["maximum"] for schema in limits) == PAGE_MAX


def test_a_limit_past_the_bound_is_a_usage_error(cli: Cli) -> None:
    result = cli("threads", "list", "--limit", str(PAGE_MAX + 1))
    assert result.exit_code == 2
    assert cli("threads", "list", "--limit", str(PAGE_MAX)).exit_code == 0
