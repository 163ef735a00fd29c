"""Fixtures for the public client's tests: a retry policy that never really waits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chatkit_threads import RetryPolicy
from tests.client.support import FakeSleep


@pytest.fixture
def fake_sleep() -> FakeSleep:
    """A sleep that only records."""
    return FakeSleep()


@pytest.fixture
def policy(fake_sleep: FakeSleep) -> RetryPolicy:
    """The default retry policy with fake sleep, a fixed clock and no jitter randomness."""
    return RetryPolicy(
        sleep=fake_sleep,
        async_sleep=fake_sleep.async_sleep,
        clock=lambda: 1_700_000_000.0,
        random=lambda: 0.0,
    )


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Tests must not pick up a developer's real key or base URL.
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
    yield
