"""The pytest entry for the client contract: `pytest --pyargs chatkit_threads_contract`.

Runs the client contract (in memory, no network) once per session and reports one test
per check. `CHATKIT_CONTRACT_MAX_EXAMPLES` (default 25) and `CHATKIT_CONTRACT_SEED` mean
what the command's `--max-examples` and `--seed` do.
"""

from __future__ import annotations

import os

import pytest

from chatkit_threads_contract.client import (
    CLIENT_CHECKS,
    ClientContractOptions,
    run_client_contract,
)
from chatkit_threads_contract.report import ContractReport, format_summary


@pytest.fixture(scope="session")
def client_report() -> ContractReport:
    """One run of the client contract, shared by every test in this module."""
    seed = os.environ.get("CHATKIT_CONTRACT_SEED")
    return run_client_contract(
        ClientContractOptions(
            max_examples=int(os.environ.get("CHATKIT_CONTRACT_MAX_EXAMPLES", "25")),
            seed=int(seed) if seed else None,
        )
    )


@pytest.mark.parametrize("check", CLIENT_CHECKS)
def test_client_check(client_report: ContractReport, check: str) -> None:
    """Each client check passes on every operation."""
    judged = {op: t for (_, op, name), t in client_report.tallies.items() if name == check}
    assert judged, f"{check} judged nothing\n{format_summary(client_report)}"
    failed = sorted(op for op, tally in judged.items() if tally.failed)
    if failed:
        details = [f for f in client_report.failures if f.check == check]
        pytest.fail(
            f"{check} failed on {', '.join(failed)}\n\n"
            + "\n\n".join(f"{f.operation}: {f.message}\n{f.reproduction}" for f in details)
        )


def test_client_run_had_no_errors(client_report: ContractReport) -> None:
    """The run itself completed (the client could be built and called)."""
    assert not client_report.errors, format_summary(client_report)
