"""The order checks judge numbers only: a created_at of another type is a schema finding."""

from __future__ import annotations

import pytest

from chatkit_threads_contract.checks_page import require_sorted
from chatkit_threads_contract.contract import load_contract
from chatkit_threads_contract.registry import ContractViolation

CONTRACT = load_contract()
NEWEST_FIRST = CONTRACT.descending


def test_out_of_order_numbers_fail() -> None:
    with pytest.raises(ContractViolation, match="position 0 has 1 then 2"):
        require_sorted([1, 2], NEWEST_FIRST, CONTRACT, "the page")


def test_a_string_created_at_is_not_a_crash() -> None:
    # Before: TypeError comparing str and int, reported as an error of the check.
    require_sorted([3, "yesterday", 1], NEWEST_FIRST, CONTRACT, "the page")
    with pytest.raises(ContractViolation):
        require_sorted([1, "x", 2, 3], NEWEST_FIRST, CONTRACT, "the page")


def test_a_violation_is_raised_under_python_O() -> None:
    """Checks never rely on `assert`: `python -O` would turn them into passes."""
    import subprocess
    import sys

    code = (
        "from chatkit_threads_contract.checks_page import require_sorted;"
        "from chatkit_threads_contract.contract import load_contract;"
        "from chatkit_threads_contract.registry import ContractViolation;"
        "c = load_contract()\n"
        "try:\n    require_sorted([1, 2], c.descending, c, 'the page')\n"
        "except ContractViolation:\n    print('caught')"
    )
    out = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "caught", out.stderr
