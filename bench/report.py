"""Rendering of results: the plain-text report and the README's Markdown table.

python -m bench.report                 # print the text report of bench/results/latest.json
python -m bench.report --markdown      # the README section's tables, from the same file
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

__all__ = ["LATEST", "render_markdown", "render_text"]

LATEST = Path(__file__).resolve().parent / "results" / "latest.json"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    if not header:
        return []
    width = [len(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row[: len(width)]):
            width[i] = max(width[i], len(cell))
    lines = ["  ".join(h.ljust(width[i]) for i, h in enumerate(header)).rstrip()]
    lines.append("  ".join("-" * w for w in width))
    for row in rows:
        cells = [
            cell.ljust(width[i]) if i == 0 else cell.rjust(width[i]) for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _target_line(target: dict[str, Any]) -> str:
    measured = target["measured"]
    value = "n/a" if measured is None else f"{measured:g}{target['unit']}"
    return f"{target['verdict']:>6}  {target['name']} = {value} (goal: {target['goal']})"


def render_text(results: dict[str, Any]) -> str:
    lines: list[str] = []
    for name, section in results["sections"].items():
        lines.append("")
        lines.append(f"== {section['title']}  [{name}, {section['elapsed_s']:.0f} s]")
        if section.get("error"):
            lines.append(f"   ERROR: {section['error']}")
            continue
        lines += [
            "   " + line for line in _table(section["table"]["header"], section["table"]["rows"])
        ]
        lines += [f"   {line}" for line in section.get("summary", [])]
        lines += [f"   note: {note}" for note in section.get("notes", [])]
    targets = results["targets"]
    lines.append("")
    lines.append("== Targets (issue 8)")
    lines += ["   " + _target_line(t) for t in targets]
    met = sum(1 for t in targets if t["met"] is True)
    missed = [t for t in targets if t["met"] is False]
    unmeasured = [t for t in targets if t["met"] is None]
    lines.append("")
    verdict = f"{met} of {len(targets)} targets met"
    if missed:
        verdict += f"; MISSED {len(missed)}: " + "; ".join(
            f"{t['name']} = {t['measured']:g}{t['unit']} (goal {t['goal']})" for t in missed
        )
    if unmeasured:
        verdict += f"; {len(unmeasured)} not measured"
    lines.append(verdict)
    lines.append(
        f"total {results['elapsed_s']:.0f} s ({'quick' if results['quick'] else 'full'} run)"
    )
    return "\n".join(lines)


def _md(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row + [""] * (len(header) - len(row))) + " |" for row in rows]
    return lines


def render_markdown(results: dict[str, Any]) -> str:
    """The figures of the README section (one table per benchmark)."""
    out: list[str] = []
    for section in results["sections"].values():
        if section.get("error"):
            continue
        out.append(f"**{section['title']}**")
        out.append("")
        out += _md(section["table"]["header"], section["table"]["rows"])
        out += (
            [""] + [f"{line}." for line in section.get("summary", [])]
            if section.get("summary")
            else []
        )
        out.append("")
    missed = [t for t in results["targets"] if t["met"] is False]
    met = sum(1 for t in results["targets"] if t["met"] is True)
    out.append(f"Targets: {met} of {len(results['targets'])} met.")
    for t in missed:
        out.append(f"- MISSED: {t['name']} = {t['measured']:g}{t['unit']} (goal: {t['goal']}).")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.report")
    parser.add_argument("path", nargs="?", default=str(LATEST))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    results = json.loads(Path(args.path).read_text())
    print(render_markdown(results) if args.markdown else render_text(results))


if __name__ == "__main__":
    main()
