"""Known findings: a run's failures saved to a file, and a later run compared with them.

A finding is matched by its suite, operation, check and a stable description: the
failure's title and its message with the generated data taken out (quoted values, ids,
numbers and lists become placeholders), so reruns with other seeds and other data
match. A run compared with a baseline passes when it finds nothing new; it names the new
findings, and the known ones that no longer occur.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .report import ContractReport

__all__ = ["BaselineError", "Comparison", "Finding", "compare", "findings_of", "load", "save"]

FORMAT = "chatkit-threads-contract baseline 1"

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_BRACKETED = re.compile(r"\[[^\[\]]*\]|\{[^{}]*\}")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?(?:ms|s)?\b")
_TOKEN = re.compile(r"\b[a-z]+_[A-Za-z0-9]{6,}\b")


class BaselineError(ValueError):
    """The baseline file cannot be read."""


def describe(title: str, message: str) -> str:
    """A description of a failure that does not depend on the data generated."""
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    for pattern, placeholder in (
        (_QUOTED, "…"),
        (_BRACKETED, "[…]"),
        (_TOKEN, "<id>"),
        (_NUMBER, "N"),
    ):
        first = pattern.sub(placeholder, first)
    return f"{title.strip()}: {first}" if first else title.strip()


@dataclass(frozen=True, order=True)
class Finding:
    """One known or new failure, independent of the data that showed it."""

    suite: str
    operation: str
    check: str
    description: str

    def __str__(self) -> str:
        return f"[{self.suite}] {self.operation} :: {self.check}: {self.description}"


def findings_of(report: ContractReport) -> set[Finding]:
    """The findings of a run: one per distinct failure, one per failing check that kept
    no failure of its own, and one per check that did not run for a reason the user's
    options do not explain."""
    found = {
        Finding(f.suite, f.operation, f.check, describe(f.title, f.message))
        for f in report.failures
    }
    described = {(f.suite, f.operation, f.check) for f in found}
    for (suite, operation, check), tally in report.tallies.items():
        if tally.failed and (suite, operation, check) not in described:
            found.add(Finding(suite, operation, check, "failed"))
    for item in report.not_run:
        if not item.excused:
            found.add(Finding(item.suite, "(any)", item.check, f"did not run: {item.reason}"))
    return found


def save(report: ContractReport, path: Path | str) -> int:
    """Write the run's findings to `path`; returns how many."""
    findings = sorted(findings_of(report))
    data = {"format": FORMAT, "findings": [vars(finding) for finding in findings]}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return len(findings)


def load(path: Path | str) -> set[Finding]:
    """The findings saved in `path`; `BaselineError` naming the problem."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BaselineError(f"cannot read the baseline {path}: {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BaselineError(f"{path} is not a baseline written by --save-baseline")
    try:
        return {
            Finding(str(f["suite"]), str(f["operation"]), str(f["check"]), str(f["description"]))
            for f in data["findings"]
        }
    except (KeyError, TypeError) as error:
        raise BaselineError(f"{path}: malformed finding ({error})") from None


@dataclass(frozen=True)
class Comparison:
    """A run against a baseline."""

    new: list[Finding]
    known: list[Finding]
    gone: list[Finding]
    """Known findings this run did not see."""

    def lines(self) -> list[str]:
        """The report's baseline section."""
        lines = [
            f"Baseline: {len(self.known)} known findings seen, {len(self.new)} new, "
            f"{len(self.gone)} known findings no longer seen"
        ]
        lines += [f"  NEW   {finding}" for finding in self.new]
        lines += [f"  known {finding}" for finding in self.known]
        lines += [f"  gone  {finding}" for finding in self.gone]
        return lines


def compare(report: ContractReport, known: set[Finding]) -> Comparison:
    """Which of the run's findings are new, known, and which known ones are gone."""
    seen = findings_of(report)
    return Comparison(
        new=sorted(seen - known), known=sorted(seen & known), gone=sorted(known - seen)
    )
