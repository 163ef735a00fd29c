"""`chatkit-threads threads export --concurrency N` against the mock with added latency.

    python -m bench.export            # 300 threads x 4 items; memory 300 vs 30,000 threads
    python -m bench.export --quick    # 60 threads; memory 60 vs 600 (a smoke test)

Each export is the real command in its own process (so its peak RSS is its own), against
a mock server in this process with `--faults latency=50ms` (and `429=0.2` for the
rate-limit scenario). Measured: wall time, threads/s and peak RSS at concurrency 1, 4,
8 and 16; under 429s, that every thread was exported exactly once and how many 429s were
waited out; and peak RSS at 100x the threads (no added latency, to keep it short).
Results go to bench/results/export.json (export-quick.json with --quick). `run(config)`
returns a `Section` for `python -m bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._harness import Config, Section, Target

__all__ = ["main", "run"]

RESULTS = Path(__file__).resolve().parent / "results"
ITEMS = 4
LATENCY = "latency=50ms"
# Retry-After is short so that the scenario measures the slowing down, not the waiting.
RATE_LIMITED = "latency=50ms,429=0.2,retry-after=0.05,seed=11"


# Runs the CLI with tracemalloc on and writes its peak Python heap to argv[1]: what the
# export itself holds, apart from the interpreter's and the allocator's own growth.
_TRACED = (
    "import sys, tracemalloc; tracemalloc.start(); "
    "from chatkit_threads_cli.main import main; code = main(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(tracemalloc.get_traced_memory()[1])); "
    "raise SystemExit(code)"
)


@dataclass
class Run:
    """One export: its settings and what it measured."""

    threads: int
    concurrency: int
    faults: str
    wall_s: float
    """The whole process, interpreter start-up included."""
    run_threads_per_s: float
    """From the last progress line: threads over the time since the export started."""
    max_rss_mb: float
    heap_peak_mb: float | None
    exported: int
    unique: int
    rate_limited: int
    exit_code: int

    @property
    def run_s(self) -> float:
        return self.threads / self.run_threads_per_s if self.run_threads_per_s else float("nan")

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self), run_s=round(self.run_s, 2))


def _export(threads: int, concurrency: int, faults: str, traced: bool = False) -> Run:
    """Serve ``threads`` synthetic threads with ``faults``; export them in a child process."""
    from chatkit_threads_mock import MockServer

    with (
        MockServer(port=0, seed=f"synthetic:{threads}:{ITEMS}", faults=faults or None) as server,
        tempfile.TemporaryDirectory(prefix="bench-export-") as scratch,
    ):
        out = Path(scratch) / "backup"
        heap = Path(scratch) / "heap"
        python = (
            [sys.executable, "-c", _TRACED, str(heap)]
            if traced
            else [sys.executable, "-m", "chatkit_threads_cli"]
        )
        command = [
            *python,
            "--base-url",
            server.base_url,
            "--api-key",
            server.api_key,
            "threads",
            "export",
            "--out",
            str(out),
            "--concurrency",
            str(concurrency),
        ]
        with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
            started = time.perf_counter()
            child = subprocess.Popen(command, stdout=stdout, stderr=stderr)
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            stdout.seek(0)
            summary = stdout.read()
            stderr.seek(0)
            rates = re.findall(r"([\d.]+) threads/s", stderr.read())
        ids = [json.loads(line)["id"] for line in (out / "manifest.jsonl").read_text().splitlines()]
        waited = re.search(r"waited out (\d+) rate limit", summary)
        return Run(
            threads=threads,
            concurrency=concurrency,
            faults=faults,
            wall_s=round(wall, 2),
            run_threads_per_s=float(rates[-1]) if rates else float("nan"),
            max_rss_mb=round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
            heap_peak_mb=round(int(heap.read_text()) / 2**20, 1) if traced else None,
            exported=len(list(out.glob("*.jsonl"))) - 1,  # without the manifest
            unique=len(set(ids)),
            rate_limited=int(waited[1]) if waited else 0,
            exit_code=child.returncode,
        )


def run(config: Config) -> Section:
    """The export benchmark as a section of `python -m bench`."""
    threads = 60 if config.quick else 300
    big = threads * (10 if config.quick else 100)
    levels = (1, 8) if config.quick else (1, 4, 8, 16)
    section = Section(
        name="export",
        title=f"threads export: {threads} threads x {ITEMS} items, mock with {LATENCY}",
        header=[
            "scenario",
            "concurrency",
            "wall (process)",
            "threads/s (run)",
            "peak RSS",
            "peak heap",
            "429s",
            "exported",
        ],
    )
    runs: list[Run] = []
    for level in levels:
        runs.append(_export(threads, level, LATENCY))
    storm = [_export(threads, level, RATE_LIMITED) for level in (1, 8)]
    small, large = _export(threads, 8, "", traced=True), _export(big, 8, "", traced=True)
    for label, group in (
        ("50 ms", runs),
        ("50 ms + 429=0.2", storm),
        ("no latency", [small, large]),
    ):
        for r in group:
            section.rows.append(
                [
                    f"{label}, {r.threads} threads",
                    str(r.concurrency),
                    f"{r.wall_s:.2f} s",
                    f"{r.run_threads_per_s:,.1f}",
                    f"{r.max_rss_mb:.0f} MB",
                    "" if r.heap_peak_mb is None else f"{r.heap_peak_mb:.1f} MB",
                    str(r.rate_limited),
                    f"{r.unique}/{r.threads}"
                    + ("" if r.exit_code == 0 else f" (exit {r.exit_code})"),
                ]
            )
    by_level = {r.concurrency: r for r in runs}
    speedup = by_level[8].run_threads_per_s / by_level[1].run_threads_per_s
    assert small.heap_peak_mb is not None and large.heap_peak_mb is not None
    growth = large.heap_peak_mb / small.heap_peak_mb
    every_once = all(
        r.exit_code == 0 and r.unique == r.exported == r.threads for r in [*runs, *storm]
    )
    section.targets = [
        Target(
            name="export: 8 workers vs 1, 50 ms latency",
            goal=">= 5x faster",
            measured=round(speedup, 2),
            limit=5.0,
            unit="x",
            kind="min",
        ),
        Target(
            name=f"export: peak Python heap at {big:,} vs {threads} threads",
            goal="flat (at most 1.5x)",
            measured=round(growth, 2),
            limit=1.5,
            unit="x",
        ),
        Target(
            name="export under 429=0.2: every thread exactly once, exit 0",
            goal="all runs",
            measured=1.0 if every_once else 0.0,
            limit=1.0,
            kind="min",
            note=f"{sum(r.rate_limited for r in storm)} 429s waited out",
        ),
    ]
    section.summary = [
        f"8 workers: {speedup:.1f}x faster than 1 at 50 ms latency",
        f"peak heap {small.heap_peak_mb:.1f} MB at {threads} threads, "
        f"{large.heap_peak_mb:.1f} MB at {big:,} (RSS {small.max_rss_mb:.0f} / "
        f"{large.max_rss_mb:.0f} MB)",
    ]
    section.notes = [
        "Each export runs the CLI in its own process; peak RSS is that process's ru_maxrss.",
        "threads/s (run) is the export's own rate (its last progress line), without the "
        "interpreter's start-up; the speed-up compares those.",
        "Peak heap is tracemalloc's peak in the export process (memory runs only). RSS grows "
        "with the number of threads even for a bare httpx loop over the listing pages "
        "(about 3 KB per listed thread here), which is outside the export.",
        "The 429 scenario sends Retry-After: 0.05 s; every 429 pauses the whole pool.",
    ]
    section.data = {
        "latency": [r.to_json() for r in runs],
        "rate_limited": [r.to_json() for r in storm],
        "memory": [small.to_json(), large.to_json()],
    }
    return section


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark, print its table and write the JSON results."""
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    parser.add_argument("--output", type=Path, default=None, help="where to write the JSON")
    args = parser.parse_args(argv)
    config = Config.quick_run() if args.quick else Config.full()
    started = time.perf_counter()
    section = run(config)
    section.elapsed_s = time.perf_counter() - started
    widths = [max(len(row[i]) for row in [section.header, *section.rows]) for i in range(8)]
    for row in [section.header, *section.rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    for line in section.summary:
        print(line)
    for target in section.targets:
        print(f"{target.verdict:>6}  {target.name}: {target.measured}{target.unit} ({target.goal})")
    output = args.output or RESULTS / ("export-quick.json" if args.quick else "export.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps({"command": "python -m bench.export", **section.to_json()}, indent=2) + "\n"
    )
    print(f"results: {output}")


if __name__ == "__main__":
    main()
