"""Contract suite wall time: the default run vs a plain `schemathesis run`, same examples.

Two commands, each run `contract_repeats` times, interleaved, with a fixed seed:

- `chatkit-threads-contract --seed S` (as a user runs it: it starts the bundled mock on
  127.0.0.1 itself, runs the server suite with every check and the client suite);
- `schemathesis run openapi/chatkit-threads.yaml --seed S --max-examples N` with the
  same phases and examples per operation, default checks, against the mock already
  running in its own process (bench._serve; its start is not timed, so the comparison
  favours the plain run).

Each process is timed whole; figures are min and median over repeats, and the ratio
the median of the per-repeat ratios. Test cases are the responses the suite checked:
each generated case is checked once by `not_a_server_error`, so its pass+fail counts,
summed over operations, count the cases.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._harness import Config, Section, Target, median, request_headers
from ._serve import ServerProcess

__all__ = ["SEED", "parse_report", "run"]

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "chatkit-threads.yaml"
SEED = 15
# The contract command's defaults, passed to schemathesis as they are.
DEFAULT_MAX_EXAMPLES = 25
PHASES = "examples,coverage,fuzzing,stateful"
# Issue 15: the default contract run at most 1.5x a plain schemathesis run.
MAX_VS_PLAIN = 1.5
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


def _timed(args: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    completed = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL
    )
    return time.perf_counter() - started, completed


def run(config: Config) -> Section:
    examples = config.contract_max_examples or DEFAULT_MAX_EXAMPLES
    section = Section(
        name="contract",
        title=(
            f"Contract suite vs plain schemathesis (seed {SEED}, {examples} examples per "
            f"operation and phase, {config.contract_repeats} interleaved runs each)"
        ),
        header=["command", "min", "median", "cases", "exit"],
        about=(
            "Whole-process wall time of the default contract run (it starts the bundled "
            "mock itself, runs the server suite with every check and the client suite) and "
            "of a plain `schemathesis run` with the same seed, phases and examples per "
            "operation against an already running mock; interleaved repeats, min and median."
        ),
    )
    ours = [sys.executable, "-m", "chatkit_threads_contract", "--seed", str(SEED)]
    if config.contract_max_examples is not None:
        ours += ["--max-examples", str(config.contract_max_examples)]
    phases = config.contract_phases or PHASES
    if config.contract_phases is not None:
        ours += ["--phases", phases]
    shown = "chatkit-threads-contract" + " ".join(["", *ours[3:]])
    times: dict[str, list[float]] = {"ours": [], "plain": []}
    outputs: dict[str, subprocess.CompletedProcess[str]] = {}
    # The plain run in a scratch folder: schemathesis leaves a .schemathesis/ folder behind.
    with ServerProcess(50, 5, 20, samples=1) as server, tempfile.TemporaryDirectory() as scratch:
        plain = [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            str(SPEC),
            "--url",
            server.base_url,
            *(
                option
                for name, value in request_headers(server.info["api_key"]).items()
                for option in ("-H", f"{name}: {value}")
            ),
            "--seed",
            str(SEED),
            "--max-examples",
            str(examples),
            "--phases",
            phases,
            "--no-color",
        ]
        for repeat in range(config.contract_repeats):
            order = ["ours", "plain"] if repeat % 2 == 0 else ["plain", "ours"]
            for name in order:
                if name == "ours":
                    wall, outputs[name] = _timed(ours, ROOT)
                else:
                    wall, outputs[name] = _timed(plain, Path(scratch))
                times[name].append(wall)
    counts = parse_report(outputs["ours"].stdout)
    ratio = median([a / b for a, b in zip(times["ours"], times["plain"], strict=True)])
    plain_shown = (
        f"schemathesis run openapi/chatkit-threads.yaml --seed {SEED} --max-examples "
        f"{examples} --phases {phases}"
    )
    for label, name, cases in (
        (shown, "ours", f"{counts['cases']:,}"),
        (plain_shown, "plain", ""),
    ):
        section.rows.append(
            [
                label,
                f"{min(times[name]):.1f} s",
                f"{median(times[name]):.1f} s",
                cases,
                str(outputs[name].returncode),
            ]
        )
    section.data = {
        "command": shown,
        "plain_command": plain_shown,
        "seed": SEED,
        "max_examples": examples,
        "runs_s": {k: [round(t, 2) for t in v] for k, v in times.items()},
        "min_s": {k: round(min(v), 2) for k, v in times.items()},
        "median_s": {k: round(median(v), 2) for k, v in times.items()},
        "ours_vs_plain": round(ratio, 3),
        "exit_status": outputs["ours"].returncode,
        "plain_exit_status": outputs["plain"].returncode,
        **counts,
        "cases_per_s": round(counts["cases"] / median(times["ours"]), 1),
    }
    section.summary.append(
        f"{shown} takes {ratio:.2f}x the plain schemathesis run (median of per-run ratios); "
        f"it also runs every registered check and the client suite, which the plain run does not"
    )
    section.targets.append(
        Target(
            name="contract: default run / plain schemathesis run",
            goal=f"<= {MAX_VS_PLAIN}x a plain `schemathesis run` with the same examples",
            measured=round(ratio, 3),
            limit=MAX_VS_PLAIN,
            unit="x",
        )
    )
    for name, completed in outputs.items():
        if completed.returncode != 0:
            tail = (completed.stdout.strip().splitlines() or [completed.stderr.strip()[-300:]])[-1]
            section.notes.append(
                f"{name}: exited with {completed.returncode} (timing still valid): {tail[-300:]}"
            )
    if not counts["cases"]:
        section.notes.append("could not count cases in the contract command's output")
    return section
