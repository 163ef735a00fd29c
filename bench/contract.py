"""Contract suite wall time: the default `chatkit-threads-contract` run against the mock.

Runs the command as a user would (`python -m chatkit_threads_contract`, which starts
the bundled mock server on 127.0.0.1), timing the whole process. Test cases are the
responses the suite checked: each generated case is checked once by schemathesis'
`not_a_server_error`, so its pass+fail counts, summed over operations, count the cases.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from ._harness import Config, Section

__all__ = ["parse_report", "run"]

ROOT = Path(__file__).resolve().parent.parent
_CHECK_LINE = re.compile(r"^\s+(?:ok|FAIL)\s+(\S+)\s+passed\s+(\d+)\s+failed\s+(\d+)", re.M)
_SUMMARY = re.compile(r"(\d+) check runs passed, (\d+) failed")


def parse_report(text: str) -> dict[str, int]:
    """Cases and check runs from the command's summary."""
    cases = sum(
        int(passed) + int(failed)
        for name, passed, failed in _CHECK_LINE.findall(text)
        if name == "not_a_server_error"
    )
    summary = _SUMMARY.search(text)
    passed, failed = (int(summary[1]), int(summary[2])) if summary else (0, 0)
    return {"cases": cases, "check_runs": passed + failed, "check_runs_failed": failed}


def run(config: Config) -> Section:
    section = Section(
        name="contract",
        title="Contract suite: default run against the bundled mock server",
        header=["command", "wall time", "cases", "cases/s", "check runs/s", "exit"],
    )
    args = [sys.executable, "-m", "chatkit_threads_contract"]
    if config.contract_max_examples is not None:
        args += ["--max-examples", str(config.contract_max_examples)]
    started = time.perf_counter()
    completed = subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL
    )
    wall = time.perf_counter() - started
    counts = parse_report(completed.stdout)
    shown = "chatkit-threads-contract" + " ".join(["", *args[3:]])
    section.rows.append(
        [
            shown,
            f"{wall:.1f} s",
            f"{counts['cases']:,}",
            f"{counts['cases'] / wall:,.0f}",
            f"{counts['check_runs'] / wall:,.0f}",
            str(completed.returncode),
        ]
    )
    section.data = {
        "command": shown,
        "wall_s": round(wall, 2),
        "exit_status": completed.returncode,
        **counts,
        "cases_per_s": round(counts["cases"] / wall, 1),
        "check_runs_per_s": round(counts["check_runs"] / wall, 1),
    }
    if completed.returncode != 0:
        tail = (completed.stdout.strip().splitlines() or [completed.stderr.strip()[-300:]])[-1]
        section.notes.append(
            f"the suite exited with {completed.returncode} (timing still valid): {tail}"
        )
    if not counts["cases"]:
        section.notes.append("could not count cases in the command's output")
    return section
