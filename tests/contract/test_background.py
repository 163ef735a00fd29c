"""The client suite run in a forked process gives the report an in-process run gives."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from chatkit_threads import ChatKit
from chatkit_threads_contract import background
from chatkit_threads_contract.background import ClientRun
from chatkit_threads_contract.client import (
    API_KEY,
    BASE_URL,
    ClientContractOptions,
    run_client_contract,
)
from chatkit_threads_contract.report import ContractReport

OPTIONS = ClientContractOptions(max_examples=3, seed=5, operations=("retrieveThread",))


@pytest.fixture(autouse=True)
def forking() -> Iterator[None]:
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("this platform cannot fork: the suite runs in-process")
    if threading.active_count() != 1:
        pytest.skip("another thread is running: the suite runs in-process")
    yield


def _content(report: ContractReport) -> tuple[object, ...]:
    tallies = {key: (t.passed, t.failed) for key, t in report.tallies.items()}
    return (tallies, report.failures, report.errors, report.not_run, report.notes)


class _RefusesStrictly:
    """A client whose strict mode refuses every answer: its failures must come back too."""

    def __init__(self, transport: httpx.BaseTransport, *, strict: bool) -> None:
        self.client = ChatKit(
            api_key=API_KEY, base_url=BASE_URL, http_client=httpx.Client(transport=transport)
        )
        self.threads = self if strict else self.client.threads

    def retrieve(self, thread_id: str) -> object:
        raise ValueError(f"refused {thread_id}")

    def close(self) -> None:
        self.client.close()


@pytest.mark.parametrize("factory", [None, _RefusesStrictly], ids=["passing", "failing"])
def test_the_forked_suite_reports_what_an_in_process_run_reports(
    factory: Callable[..., Any] | None,
) -> None:
    options = dataclasses.replace(OPTIONS, client_factory=factory)
    run = ClientRun(options)
    assert run.forked
    forked = run.result()
    assert forked.tallies, "the child judged nothing"
    assert bool(forked.failures) == (factory is not None)
    assert _content(forked) == _content(run_client_contract(options))


def test_a_child_that_dies_without_a_report_is_replaced_by_an_in_process_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parent = os.getpid()

    def dies_in_the_child(options: ClientContractOptions) -> ContractReport:
        if os.getpid() != parent:
            os._exit(3)
        return run_client_contract(options)

    monkeypatch.setattr(background, "run_client_contract", dies_in_the_child)
    run = ClientRun(OPTIONS)
    assert run.forked
    assert _content(run.result()) == _content(run_client_contract(OPTIONS))


def test_an_exception_in_the_suite_is_raised_in_the_parent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(options: ClientContractOptions) -> ContractReport:
        raise RuntimeError(f"broken in {'the child' if os.getpid() != parent else 'the parent'}")

    parent = os.getpid()
    monkeypatch.setattr(background, "run_client_contract", broken)
    run = ClientRun(OPTIONS)
    assert run.forked
    with pytest.raises(RuntimeError, match="broken in the parent"):
        run.result()


def test_cancel_stops_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    started = multiprocessing.get_context("fork").Event()

    def waits_forever(options: ClientContractOptions) -> ContractReport:
        started.set()
        threading.Event().wait()
        raise AssertionError("unreachable")

    monkeypatch.setattr(background, "run_client_contract", waits_forever)
    run = ClientRun(OPTIONS)
    process = run._process
    assert process is not None
    assert started.wait(timeout=120), "the child never started"
    run.cancel()
    assert not process.is_alive()
    assert process.exitcode is not None and process.exitcode < 0  # ended by a signal
