"""The order checks judge numbers only: a created_at of another type is a schema finding."""

from __future__ import annotations

import pytest

from chatkit_threads_contract.checks import _assert_sorted


def test_out_of_order_numbers_fail() -> None:
    with pytest.raises(AssertionError, match="position 0 has 1 then 2"):
        _assert_sorted([1, 2], "desc", "the page")


def test_a_string_created_at_is_not_a_crash() -> None:
    # Before: TypeError comparing str and int, reported as an error of the check.
    _assert_sorted([3, "yesterday", 1], "desc", "the page")
    with pytest.raises(AssertionError):
        _assert_sorted([1, "x", 2, 3], "desc", "the page")
