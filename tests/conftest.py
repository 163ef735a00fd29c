"""Settings for the whole suite: how many pytest-xdist workers `-n auto` starts."""

from __future__ import annotations

import os

import pytest

# Collecting the suite costs each worker a few seconds: past this many workers, more
# only add that cost.
MAX_WORKERS = 8


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """Two workers per core (at most `MAX_WORKERS`) for `-n auto`, which addopts gives.

    Most of the suite's time is spent waiting, not computing: on servers it started, on
    subprocesses (the CLI, the README's blocks, the scripts) and on deadlines. On 2 cores,
    4 workers finish in about half the time 2 take. `PYTEST_XDIST_AUTO_NUM_WORKERS` still
    decides when set (xdist reads it).
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cores or 1), MAX_WORKERS)
