"""Rendering of results: the plain-text report and the README's Markdown table.

python -m bench.report                 # print the text report of bench/results/latest.json
python -m bench.report --markdown      # the README section's tables, from the same file
"""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path
from typing import Any

__all__ = ["LATEST", "README", "render_markdown", "render_readme", "render_text", "update_readme"]

LATEST = Path(__file__).resolve().parent / "results" / "latest.json"
README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


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
        if section.get("about"):
            lines += ["   " + line for line in textwrap.wrap(section["about"], 96)]
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
    lines.append("== Targets")
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
        if section.get("about"):
            out += [section["about"], ""]
        out += _md(section["table"]["header"], section["table"]["rows"])
        out += (
            [""] + [f"{line}." for line in section.get("summary", [])]
            if section.get("summary")
            else []
        )
        out.append("")
    targets = results["targets"]
    met = sum(1 for t in targets if t["met"] is True)
    out.append(f"**Targets: {met} of {len(targets)} met**")
    out.append("")
    rows = [
        [
            t["name"],
            "n/a" if t["measured"] is None else f"{t['measured']:g}{t['unit']}",
            t["goal"],
            t["verdict"],
        ]
        for t in targets
    ]
    out += _md(["target", "measured", "goal", "verdict"], rows)
    return "\n".join(out)


def render_readme(results: dict[str, Any]) -> str:
    """The README's Benchmarks section (without the markers), from one results file."""
    machine = results["machine"]
    when = results["finished_at"][:10]
    names = ", ".join(f"`{name}`" for name in results["sections"])
    lines = [
        "## Benchmarks",
        "",
        "```bash",
        "pip install -e '.[dev]'  # bench extra (pinned openai SDK), mock, contract suite",
        "python -m bench          # the real run: tables, and bench/results/latest.json",
        "python -m bench --quick  # smaller sizes, about a minute: bench/results/quick.json",
        "```",
        "",
        "Run from the repository root; `--only NAME,...` picks benchmarks among",
        f"{names}.",
        "`python -m bench.report` reprints the last results and `python -m bench.report",
        "--update-readme` renders this section from them. Contenders are measured side by side",
        "in one run: interleaved rounds, medians, and ratios as medians of the per-round",
        "ratios. Nothing in the test suite asserts on timing. The server benchmark uses `wrk`",
        "(`apt-get install wrk`; without it a Python load generator stands in, with a note) and",
        "compares with Prism through `npx` when Node.js is there.",
        "",
        f"Latest real run ({when}, `{results['command']}`, {results['elapsed_s'] / 60:.1f} min; "
        f"Python {machine['python']}, {machine['cpus']} shared cores, so absolute times are "
        "noisy and p99 most of all; the ratios are what to compare):",
        "",
        render_markdown(results),
    ]
    return "\n".join(lines)


def update_readme(results: dict[str, Any], path: Path = README) -> None:
    """Replace the text between the bench markers of README.md, and nothing else."""
    text = path.read_text()
    head, found, rest = text.partition(START)
    _, found_end, tail = rest.partition(END)
    if not found or not found_end:
        raise ValueError(f"{path}: no {START} ... {END} section")
    path.write_text(f"{head}{START}\n{render_readme(results)}\n{END}{tail}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.report")
    parser.add_argument("path", nargs="?", default=str(LATEST))
    parser.add_argument("--markdown", action="store_true", help="print the README section")
    parser.add_argument(
        "--update-readme", action="store_true", help="write it into README.md's bench section"
    )
    args = parser.parse_args(argv)
    results = json.loads(Path(args.path).read_text())
    if args.update_readme:
        update_readme(results)
    elif args.markdown:
        print(render_readme(results))
    else:
        print(render_text(results))


if __name__ == "__main__":
    main()
