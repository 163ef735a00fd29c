"""Code generation time: `scripts/generate --check`.

`--check` runs the whole pipeline (openapi-python-client, its ruff post-hooks, the
py.typed marker) into a temporary folder and compares it with generated/, so timing it
never touches the work tree; the comparison itself is a small part of the time.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from ._harness import Config, Section, median

__all__ = ["run"]

ROOT = Path(__file__).resolve().parent.parent


def run(config: Config) -> Section:
    section = Section(
        name="codegen",
        title="Code generation",
        header=["command", "median wall time", "runs", "exit"],
        about=(
            "Whole-process wall time of `scripts/generate --check`: the generator, its "
            "post-hooks and the comparison with generated/, into a temporary folder."
        ),
    )
    times: list[float] = []
    status = 0
    output = ""
    for _ in range(config.generate_repeats):
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "scripts/generate", "--check"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
        status = status or completed.returncode
        output = (completed.stdout + completed.stderr).strip()
    wall = median(times)
    section.rows.append(["scripts/generate --check", f"{wall:.2f} s", str(len(times)), str(status)])
    section.data = {
        "command": "scripts/generate --check",
        "median_s": round(wall, 3),
        "runs_s": [round(t, 3) for t in times],
        "exit_status": status,
    }
    if status:
        section.notes.append(f"scripts/generate --check exited with {status}: {output[-300:]}")
    return section
