"""The client contract's response strategies only produce spec-valid bodies."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from chatkit_threads_contract.responses import RESPONSE_SCHEMAS, response_strategy
from chatkit_threads_contract.spec import schema_validator


@pytest.mark.parametrize("name", sorted(RESPONSE_SCHEMAS))
def test_generated_bodies_validate_against_the_spec(name: str) -> None:
    validator = schema_validator({"$ref": f"#/components/schemas/{RESPONSE_SCHEMAS[name]}"})

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(response_strategy(name))
    def check(body: Any) -> None:
        assert list(validator.iter_errors(body)) == []

    check()


def test_item_lists_cover_every_item_type() -> None:
    seen: set[str] = set()

    @settings(
        max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    @given(response_strategy("listThreadItems"))
    def collect(body: Any) -> None:
        seen.update(item["type"] for item in body["data"])

    collect()
    assert len(seen) >= 3, seen
