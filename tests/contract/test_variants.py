"""The suite passes a correct server and fails each broken one for the expected check."""

from __future__ import annotations

import pytest

from chatkit_threads_contract.runner import ContractOptions, run_server_contract

from .reference_server import KEY, OTHER_KEY, create_app, serve
from .variants import VARIANTS

# Few examples keep the whole module fast; every bug here is found by the first few cases.
MAX_EXAMPLES = 5


def _options(
    base_url: str, phases: tuple[str, ...], max_examples: int = MAX_EXAMPLES
) -> ContractOptions:
    return ContractOptions(
        base_url=base_url,
        api_key=KEY,
        other_api_key=OTHER_KEY,
        max_examples=max_examples,
        seed=1234,
        phases=phases,
    )


def test_reference_server_passes_every_check() -> None:
    with serve(create_app()) as base_url:
        report = run_server_contract(
            _options(base_url, ("examples", "coverage", "fuzzing", "stateful"))
        )
    assert report.failures == []
    assert report.errors == []
    assert report.ok
    ran = {check for (_, _, check) in report.tallies}
    # Every custom check must actually have judged something, or a pass means nothing.
    assert {"list_walk_complete", "deleted_thread_vanishes", "data_isolated_per_key"} <= ran


def test_there_are_at_least_ten_distinct_bugs() -> None:
    assert len(VARIANTS) >= 10
    assert len({variant.build for variant in VARIANTS.values()}) == len(VARIANTS)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_broken_server_fails_the_expected_check(name: str) -> None:
    variant = VARIANTS[name]
    with serve(variant.build()) as base_url:
        report = run_server_contract(_options(base_url, variant.phases, variant.max_examples))
    assert not report.ok
    assert variant.expected_check in report.failed_checks, (
        f"{name}: expected {variant.expected_check} to fail; failed: {sorted(report.failed_checks)}"
    )
    # The failure must come with something a user can act on.
    shown = [f for f in report.failures if f.check == variant.expected_check]
    assert shown and (shown[0].message or shown[0].title) and shown[0].reproduction
