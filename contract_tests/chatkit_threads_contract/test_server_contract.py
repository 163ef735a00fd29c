"""The pytest entry: `pytest --pyargs chatkit_threads_contract`.

Runs the server contract once per session and reports one test per check, so a failing
check shows up by name in pytest's output and JUnit XML (`--junitxml`). Configured through
environment variables, the same meanings as the command's options:

- `CHATKIT_CONTRACT_BASE_URL` (unset: the bundled mock server), `OPENAI_API_KEY`,
  `CHATKIT_CONTRACT_OTHER_API_KEY`, `CHATKIT_CONTRACT_MAX_EXAMPLES` (default 25),
  `CHATKIT_CONTRACT_SEED`, `CHATKIT_CONTRACT_ALLOW_DESTRUCTIVE=1`,
  `CHATKIT_CONTRACT_SPEC` (path or URL), `CHATKIT_CONTRACT_REQUEST_TIMEOUT` (seconds),
  `CHATKIT_CONTRACT_RATE_LIMIT` (e.g. `10/s`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from chatkit_threads_contract.options import DEFAULT_TIMEOUT, ContractOptions, default_checks
from chatkit_threads_contract.report import ContractReport, format_summary
from chatkit_threads_contract.runner import run_server_contract
from chatkit_threads_contract.targets import bundled_mock


def _options(
    base_url: str, api_key: str, other_api_key: str | None, *, bundled: bool = False
) -> ContractOptions:
    seed = os.environ.get("CHATKIT_CONTRACT_SEED")
    timeout = os.environ.get("CHATKIT_CONTRACT_REQUEST_TIMEOUT")
    return ContractOptions(
        bundled=bundled,
        spec=os.environ.get("CHATKIT_CONTRACT_SPEC") or None,
        rate_limit=os.environ.get("CHATKIT_CONTRACT_RATE_LIMIT") or None,
        request_timeout=float(timeout) if timeout else DEFAULT_TIMEOUT,
        base_url=base_url,
        api_key=api_key,
        other_api_key=other_api_key,
        max_examples=int(os.environ.get("CHATKIT_CONTRACT_MAX_EXAMPLES", "25")),
        seed=int(seed) if seed else None,
        allow_destructive=os.environ.get("CHATKIT_CONTRACT_ALLOW_DESTRUCTIVE") == "1",
    )


@pytest.fixture(scope="session")
def contract_report() -> Iterator[ContractReport]:
    """One run of the server contract, shared by every test in this module."""
    base_url = os.environ.get("CHATKIT_CONTRACT_BASE_URL")
    if base_url:
        api_key = os.environ.get("OPENAI_API_KEY", "")
        other = os.environ.get("CHATKIT_CONTRACT_OTHER_API_KEY")
        yield run_server_contract(_options(base_url, api_key, other))
        return
    with bundled_mock() as mock:
        yield run_server_contract(
            _options(mock.base_url, mock.api_key, mock.other_api_key, bundled=True)
        )


@pytest.mark.parametrize("check", default_checks())
def test_server_check(contract_report: ContractReport, check: str) -> None:
    """Each check passes on every operation it judged."""
    failed = {
        op: t for (_, op, name), t in contract_report.tallies.items() if name == check and t.failed
    }
    if failed:
        details = [f for f in contract_report.failures if f.check == check]
        pytest.fail(
            f"{check} failed on {', '.join(sorted(failed))}\n\n"
            + "\n\n".join(f"{f.operation}: {f.message}\n{f.reproduction}" for f in details)
        )


def test_run_had_no_errors(contract_report: ContractReport) -> None:
    """The run itself completed (no crashed checks, no unreachable server)."""
    assert not contract_report.errors, format_summary(contract_report)


def test_every_check_ran_or_was_excused(contract_report: ContractReport) -> None:
    """No selected check vanished: each one judged something, or the user's choices explain it."""
    unexcused = [item for item in contract_report.not_run if not item.excused]
    assert not unexcused, format_summary(contract_report)
