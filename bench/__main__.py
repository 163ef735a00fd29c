"""`python -m bench`: run the benchmarks, print the table, write the JSON results.

python -m bench                    # the real run (~5-8 min on 2 cores): bench/results/latest.json
python -m bench --quick            # smaller sizes (~1 min): bench/results/quick.json
python -m bench --only overhead,pagination
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from . import codegen, contention, contract, imports, overhead, pagination, report, server
from ._harness import Config, Section, Target

BENCHMARKS: dict[str, Callable[[Config], Section]] = {
    "overhead": overhead.run,
    "inmemory": overhead.run_in_memory,
    "imports": imports.run,
    "pagination": pagination.run,
    "server": server.run,
    "contract": contract.run,
    "contention": contention.run,
    "codegen": codegen.run,
}
RESULTS = Path(__file__).resolve().parent / "results"


def _versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in (
        "chatkit-threads",
        "openai",
        "httpx",
        "httpx2",
        "starlette",
        "uvicorn",
        "uvloop",
        "httptools",
        "schemathesis",
    ):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def run_all(config: Config, names: list[str], argv: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    sections: dict[str, Any] = {}
    targets: list[dict[str, Any]] = []
    for name in names:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        section_started = time.perf_counter()
        try:
            section = BENCHMARKS[name](config)
        except Exception as error:
            section = Section(name=name, title=name, error=f"{type(error).__name__}: {error}")
            traceback.print_exc()
        section.elapsed_s = time.perf_counter() - section_started
        print(f"[bench] {name}: {section.elapsed_s:.0f} s", file=sys.stderr, flush=True)
        sections[name] = section.to_json()
        targets += [dict(t.to_json(), section=name) for t in section.targets]
    elapsed = time.perf_counter() - started
    if not config.quick and set(names) == set(BENCHMARKS):
        whole = Target(
            name="python -m bench: whole run",
            goal="under 10 minutes on 2 cores",
            measured=round(elapsed, 1),
            limit=600.0,
            unit=" s",
        )
        targets.append(dict(whole.to_json(), section="all"))
    return {
        "schema": 1,
        "command": " ".join(["python -m bench", *argv]).strip(),
        "quick": config.quick,
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 1),
        "machine": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "versions": _versions(),
        "config": {k: v for k, v in vars(config).items()},
        "sections": sections,
        "targets": targets,
        "all_met": all(t["met"] is True for t in targets) and bool(targets),
        "missed": [t["name"] for t in targets if t["met"] is False],
    }


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, about a minute")
    parser.add_argument(
        "--only",
        default=",".join(BENCHMARKS),
        help=f"comma-separated subset of: {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--output",
        help="JSON results path (default bench/results/latest.json, quick.json with --quick)",
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    config = Config.quick_run() if args.quick else Config.full()
    results = run_all(config, names, argv)
    output = (
        Path(args.output)
        if args.output
        else RESULTS / ("quick.json" if args.quick else "latest.json")
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=1) + "\n")
    print(report.render_text(results))
    print(f"results written to {output}")
    # Missed targets are findings, not failures of the benchmark: exit 0 unless one broke.
    return 1 if any(s.get("error") for s in results["sections"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
