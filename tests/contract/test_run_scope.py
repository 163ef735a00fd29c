"""A run leaves no process-global state behind: schemathesis, requests, urllib3 and logging
are as they were before it, and the ChatKit checks are registered only while it runs."""

from __future__ import annotations

import logging

import requests.adapters
import schemathesis.transport.requests as transport
import urllib3.util.connection
from schemathesis.checks import CHECKS
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

from chatkit_threads_contract.checks import check_names
from chatkit_threads_contract.options import ContractOptions
from chatkit_threads_contract.registry import CHECKS as REGISTRY
from chatkit_threads_contract.runner import run_server_contract

from .servers import KEY, mock_app, serve


def _state() -> tuple[object, ...]:
    return (
        transport._request_with_retries,
        requests.adapters.HTTPAdapter.send,
        urllib3.util.connection.create_connection,
        logging.getLogRecordFactory(),
        tuple(GLOBAL_HOOK_DISPATCHER.get_all_by_name("before_call")),
        # schemathesis registers its own built-in checks lazily; the suite's are what count.
        tuple(set(check_names()) & set(CHECKS.get_all_names())),
    )


def test_a_run_leaves_schemathesis_and_the_process_as_it_found_them() -> None:
    before = _state()
    assert not set(check_names()) & set(CHECKS.get_all_names())
    with serve(mock_app()) as base_url:
        report = run_server_contract(
            ContractOptions(
                base_url=base_url,
                api_key=KEY,
                max_examples=1,
                seed=2,
                operations=("listThreads",),
                phases=("examples",),
            )
        )
    assert report.ok
    # The ChatKit checks did run (they were registered for the run)...
    assert {check for (_, _, check) in report.tallies} & set(check_names())
    # ...and nothing of the run is left.
    assert _state() == before


def test_the_registry_is_the_list_of_checks() -> None:
    names = check_names()
    assert names == tuple(check.__name__ for check in REGISTRY)
    assert len(set(names)) == len(names) >= 14


def test_a_delete_the_policy_refuses_is_stopped_before_it_is_sent() -> None:
    """The last line of defence: a DELETE that reached the point of sending is refused."""
    from types import SimpleNamespace

    import pytest

    from chatkit_threads_contract import adapter
    from chatkit_threads_contract.contract import load_contract
    from chatkit_threads_contract.guard import DeleteGuard
    from chatkit_threads_contract.options import DestructiveRequestRefused
    from chatkit_threads_contract.pacing import Pacer

    contract = load_contract()
    delete = contract.operations["delete_thread"]
    guard = DeleteGuard("listed", contract)
    guard.listed.add("cthr_seen")
    base = "http://127.0.0.1:9/v1"
    schema = SimpleNamespace(get_base_url=lambda: base)

    def case(thread_id: str) -> SimpleNamespace:
        return SimpleNamespace(
            method="DELETE",
            formatted_path=delete.url_path(thread_id),
            operation=SimpleNamespace(schema=schema),
        )

    scope = adapter.RunScope(base, Pacer(), 1.0, (), guard.before_send)
    with adapter.run_scope(scope):
        adapter._before_call(None, case("cthr_seen"), {})
        with pytest.raises(DestructiveRequestRefused):
            adapter._before_call(None, case("cthr_never_listed"), {})
