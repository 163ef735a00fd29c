"""The suite passes the bundled mock and fails each broken variant of it, for the expected check."""

from __future__ import annotations

import pytest

from chatkit_threads_contract.report import format_summary
from chatkit_threads_contract.runner import ContractOptions, run_server_contract

from .servers import KEY, OTHER_KEY, mock_app, serve
from .variants import VARIANTS

SEED = 1234


def _options(base_url: str, phases: tuple[str, ...], max_examples: int) -> ContractOptions:
    return ContractOptions(
        base_url=base_url,
        api_key=KEY,
        other_api_key=OTHER_KEY,
        max_examples=max_examples,
        seed=SEED,
        phases=phases,
        # The variants are the suite's own servers: deleting their threads is intended.
        allow_destructive=True,
    )


# Each variant runs with few examples and only the phases that reach its bug; the unbroken
# mock must pass under exactly those settings, so a variant fails because of its one bug.
SETTINGS = sorted({(variant.phases, variant.max_examples) for variant in VARIANTS.values()})


@pytest.mark.parametrize(("phases", "max_examples"), SETTINGS)
def test_the_unbroken_mock_passes_under_the_variant_settings(
    phases: tuple[str, ...], max_examples: int
) -> None:
    with serve(mock_app()) as base_url:
        report = run_server_contract(_options(base_url, phases, max_examples))
    assert report.ok, format_summary(report)
    assert report.failures == []


def test_there_are_at_least_ten_distinct_bugs() -> None:
    assert len(VARIANTS) >= 10
    assert len({variant.build for variant in VARIANTS.values()}) == len(VARIANTS)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_broken_mock_fails_the_expected_check(name: str) -> None:
    variant = VARIANTS[name]
    with serve(variant.build()) as base_url:
        report = run_server_contract(_options(base_url, variant.phases, variant.max_examples))
    assert not report.ok
    assert report.errors == [], report.errors
    assert variant.expected_check in report.failed_checks, (
        f"{name}: expected {variant.expected_check} to fail; failed: {sorted(report.failed_checks)}"
    )
    # The failure must come with something a user can act on.
    shown = [f for f in report.failures if f.check == variant.expected_check]
    assert shown and (shown[0].message or shown[0].title) and shown[0].reproduction
