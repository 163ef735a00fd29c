"""The result of a contract run: tallies per operation and check, failures, and their output.

Kept free of schemathesis types so the command, the pytest entry and the project's own
tests read one plain structure.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "CheckFailure",
    "ContractReport",
    "NotRun",
    "Tally",
    "format_summary",
    "write_junit",
]

# A failing check is reported this many times per operation at most; more would drown
# the summary in near-identical reproductions.
MAX_FAILURES_SHOWN = 3


@dataclass
class Tally:
    """How many times one check passed and failed on one operation."""

    passed: int = 0
    failed: int = 0


@dataclass(frozen=True)
class CheckFailure:
    """One failing check on one request, with a way to reproduce it."""

    suite: str
    operation: str
    check: str
    title: str
    message: str
    reproduction: str


@dataclass(frozen=True)
class NotRun:
    """A selected check that judged nothing, and why.

    `excused` when the user's own choices explain it (filters, an opt-in not given, a
    spec that cannot express it); otherwise the run cannot be called a pass.
    """

    suite: str
    check: str
    reason: str
    excused: bool


@dataclass
class ContractReport:
    """Everything a run found; `ok` is the verdict."""

    target: str
    tallies: dict[tuple[str, str, str], Tally] = field(default_factory=dict)
    failures: list[CheckFailure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    spec_findings: list[str] = field(default_factory=list)
    """Gaps of the spec under test (not the server's fault)."""
    not_run: list[NotRun] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    """The closing lines: operations, checks run / not run, stateful links followed, waits."""
    seed: int | None = None
    durations: dict[tuple[str, str, str], float] = field(default_factory=dict)
    """Seconds of answers each (suite, operation, check) judged."""
    exchanges: list[Any] = field(default_factory=list)
    """Every exchange the server suite made, redacted (`recording.Recorded`)."""

    @property
    def ok(self) -> bool:
        """True when every check that ran passed, nothing errored, at least one check ran,
        and every selected check that did not run is excused."""
        return (
            not self.errors
            and bool(self.tallies)
            and all(t.failed == 0 for t in self.tallies.values())
            and all(item.excused for item in self.not_run)
        )

    @property
    def failed_checks(self) -> set[str]:
        """Names of the checks that failed at least once."""
        return {check for (_, _, check), tally in self.tallies.items() if tally.failed}

    def record(self, suite: str, operation: str, check: str, *, passed: bool) -> None:
        """Count one outcome of `check` on `operation`."""
        tally = self.tallies.setdefault((suite, operation, check), Tally())
        if passed:
            tally.passed += 1
        else:
            tally.failed += 1

    def add_time(self, suite: str, operation: str, check: str, seconds: float) -> None:
        """Add the time of one answer `check` judged on `operation`."""
        key = (suite, operation, check)
        self.durations[key] = self.durations.get(key, 0.0) + seconds

    def add_failure(self, failure: CheckFailure) -> None:
        """Keep a failure for the summary, unless it repeats one already kept."""
        same = [
            f
            for f in self.failures
            if (f.suite, f.operation, f.check) == (failure.suite, failure.operation, failure.check)
        ]
        if len(same) < MAX_FAILURES_SHOWN and all(f.message != failure.message for f in same):
            self.failures.append(failure)

    def merge(self, other: ContractReport) -> None:
        """Fold another report (e.g. the client contract) into this one."""
        for key, tally in other.tallies.items():
            mine = self.tallies.setdefault(key, Tally())
            mine.passed += tally.passed
            mine.failed += tally.failed
        for failure in other.failures:
            self.add_failure(failure)
        self.errors.extend(other.errors)
        self.notes.extend(other.notes)
        self.spec_findings.extend(other.spec_findings)
        self.not_run.extend(other.not_run)
        self.coverage.extend(other.coverage)
        for key, seconds in other.durations.items():
            self.durations[key] = self.durations.get(key, 0.0) + seconds
        self.exchanges.extend(other.exchanges)
        self.elapsed += other.elapsed


def _operations(report: ContractReport) -> Iterable[tuple[str, str]]:
    return sorted({(suite, op) for suite, op, _ in report.tallies})


def format_summary(report: ContractReport) -> str:
    """A readable per-operation, per-check summary with short reproductions of failures."""
    lines = [f"ChatKit Threads contract against {report.target}", ""]
    width = max((len(check) for _, _, check in report.tallies), default=0)
    for suite, operation in _operations(report):
        lines.append(f"[{suite}] {operation}")
        for (s, op, check), tally in sorted(report.tallies.items()):
            if (s, op) != (suite, operation):
                continue
            verdict = "FAIL" if tally.failed else "ok  "
            lines.append(
                f"  {verdict} {check:<{width}} passed {tally.passed:>5}  failed {tally.failed:>3}"
            )
        lines.append("")
    if report.failures:
        lines.append("Failures")
        for number, failure in enumerate(report.failures, 1):
            lines.append(
                f"{number}. [{failure.suite}] {failure.operation} :: "
                f"{failure.check}: {failure.title}"
            )
            lines.extend(f"     {line}" for line in failure.message.strip().splitlines()[:8])
            if failure.reproduction:
                lines.append("   Reproduce with:")
                lines.extend(
                    f"     {line}" for line in failure.reproduction.strip().splitlines()[:6]
                )
        lines.append("")
    if report.spec_findings:
        lines.append("Findings about the spec (not the server)")
        lines.extend(f"  - {finding}" for finding in report.spec_findings)
        lines.append("")
    if report.not_run:
        lines.append("Checks that did not run")
        for item in report.not_run:
            mark = "skipped" if item.excused else "NOT RUN"
            lines.append(f"  {mark} [{item.suite}] {item.check}: {item.reason}")
        lines.append("")
    for error in report.errors:
        lines.append(f"ERROR: {error}")
    for note in report.notes:
        lines.append(f"note: {note}")
    if report.coverage:
        lines.append("Coverage")
        lines.extend(f"  {line}" for line in report.coverage)
    total_failed = sum(t.failed for t in report.tallies.values())
    total_passed = sum(t.passed for t in report.tallies.values())
    verdict = "PASSED" if report.ok else "FAILED"
    failing = ", ".join(sorted(report.failed_checks)) or "none"
    unexcused = sum(1 for item in report.not_run if not item.excused)
    lines.append(
        f"{verdict}: {total_passed} check runs passed, {total_failed} failed "
        f"(failing checks: {failing}), {len(report.errors)} errors, "
        f"{unexcused} checks could not run, in {report.elapsed:.1f}s"
    )
    return "\n".join(lines)


def write_junit(report: ContractReport, path: Path | str) -> None:
    """Write a JUnit XML file: one test case per (operation, check)."""
    suites = ET.Element("testsuites", name="chatkit-threads-contract")
    by_suite: dict[str, ET.Element] = {}
    for (suite, operation, check), tally in sorted(report.tallies.items()):
        element = by_suite.get(suite)
        if element is None:
            element = ET.SubElement(suites, "testsuite", name=f"{suite} contract")
            by_suite[suite] = element
        seconds = report.durations.get((suite, operation, check), 0.0)
        case = ET.SubElement(
            element,
            "testcase",
            classname=f"{suite}.{operation}",
            name=check,
            time=f"{seconds:.3f}",
        )
        if tally.failed:
            shown = [
                f
                for f in report.failures
                if (f.suite, f.operation, f.check) == (suite, operation, check)
            ]
            details = [
                f"check: {f.check}\n{f.title}\n{f.message}\nReproduce with:\n{f.reproduction}"
                for f in shown
            ]
            first = shown[0].message.strip().splitlines()[0][:200] if shown else ""
            failure = ET.SubElement(
                case,
                "failure",
                message=(
                    f"{check} failed {tally.failed} of {tally.passed + tally.failed} times"
                    + (f": {first}" if first else "")
                ),
            )
            failure.text = "\n\n".join(details)
    for item in report.not_run:
        element = by_suite.get(item.suite)
        if element is None:
            element = ET.SubElement(suites, "testsuite", name=f"{item.suite} contract")
            by_suite[item.suite] = element
        case = ET.SubElement(
            element, "testcase", classname=f"{item.suite}.not-run", name=item.check, time="0"
        )
        if item.excused:
            ET.SubElement(case, "skipped", message=item.reason)
        else:
            ET.SubElement(case, "failure", message=f"did not run: {item.reason}")
    if report.errors:
        element = ET.SubElement(suites, "testsuite", name="errors")
        for number, error in enumerate(report.errors, 1):
            case = ET.SubElement(element, "testcase", classname="errors", name=f"error {number}")
            ET.SubElement(case, "error", message=error.splitlines()[0][:200]).text = error
    for element in suites:
        cases = element.findall("testcase")
        element.set("tests", str(len(cases)))
        element.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        element.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    suites.set("time", f"{report.elapsed:.3f}")
    ET.indent(suites)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
