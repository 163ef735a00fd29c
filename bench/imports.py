"""Import time: `import chatkit_threads` vs `import openai` vs `import httpx, attrs`.

Each statement runs in a fresh interpreter (`python -c`), which times the import
statement alone with `time.perf_counter` (the interpreter's own start-up is excluded);
rounds interleave the statements, rotating who goes first; figures are medians, and
ratios medians of the per-round ratios. `httpx, attrs` are this client's only
dependencies: what any client built on them pays before its own modules.

Client-only: this environment has every extra installed (the mock, the CLI, ...), and
some libraries import optional packages when they are there (httpx imports rich and
click for its command line). A user of the client alone has none of them, so every
interpreter here starts with the top-level modules of the installed distributions that
neither `chatkit-threads` (without extras) nor `openai` depends on marked unimportable
(`sys.modules[name] = None`), which is what a client-only install looks like to `import`.

Also: after `import chatkit_threads`, which modules were loaded that a client that has
not sent a request yet does not need (asyncio, the generated API modules), and the top
modules by own import time (`-X importtime`), to find culprits.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from importlib import metadata
from typing import Any

from ._harness import Config, Section, Target, fmt_ms, median

__all__ = ["STATEMENTS", "run"]

OURS, SDK, DEPS = "import chatkit_threads", "import openai", "import httpx, attrs"
STATEMENTS = (OURS, SDK, DEPS)
MAX_VS_SDK = 0.33
MAX_OVER_DEPS_MS = 25.0

ROOTS = ("chatkit-threads", "openai")
_TIMER = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
_PROBE = (
    "before = set(sys.modules); import chatkit_threads; "
    "print(' '.join(sorted(set(sys.modules) - before)))"
)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_closure(roots: tuple[str, ...] = ROOTS) -> set[str]:
    """Canonical names of `roots` and everything they require, without extras."""
    from packaging.requirements import Requirement

    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = _canonical(stack.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                stack.append(requirement.name)
    return seen


@functools.cache
def blocked_modules() -> tuple[str, ...]:
    """Top-level modules of installed distributions outside the client-only closure."""
    keep = dependency_closure()
    return tuple(
        sorted(
            module
            for module, dists in metadata.packages_distributions().items()
            if module.isidentifier()
            and module not in sys.stdlib_module_names
            and not any(_canonical(dist) in keep for dist in dists)
        )
    )


def _prelude() -> str:
    """Make the modules a client-only install lacks unimportable (unless already loaded)."""
    names = ", ".join(repr(name) for name in blocked_modules())
    return (
        f"import sys; sys.modules.update((n, None) for n in ({names},) if n not in sys.modules); "
    )


def _environment() -> dict[str, str]:
    """This environment, with bytecode caches written and read as an install has them.

    An installed package comes with its .pyc files (pip compiles them); a development
    shell may set PYTHONDONTWRITEBYTECODE, which would leave this repository's own
    modules compiled from source on every import while the SDK's are not.
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _python(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", _prelude() + code],
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        stdin=subprocess.DEVNULL,
    )


def time_import(stmt: str) -> float:
    """Milliseconds that `stmt` takes in a fresh client-only interpreter."""
    return float(_python(_TIMER.format(stmt=stmt)).stdout) * 1000


def loaded_modules() -> list[str]:
    """The modules `import chatkit_threads` loads, in a fresh client-only interpreter."""
    return _python(_PROBE).stdout.split()


def culprits(stmt: str = OURS, top: int = 10) -> list[dict[str, Any]]:
    """The modules with the most own import time (`-X importtime`) under `stmt`."""
    stderr = _python(stmt, "-X", "importtime").stderr
    rows: list[dict[str, Any]] = []
    for line in stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[0].startswith("import time:"):
            continue
        try:
            own, cumulative = int(parts[0].split(":")[1]), int(parts[1])
        except ValueError:
            continue  # the header line
        rows.append(
            {"module": parts[2].strip(), "self_ms": own / 1000, "cum_ms": cumulative / 1000}
        )
    rows.sort(key=lambda row: -float(row["self_ms"]))
    return rows[:top]


def run(config: Config) -> Section:
    section = Section(
        name="imports",
        title="Import time in a fresh client-only interpreter (the import statement alone)",
        header=["statement", "median", "min", "vs import openai"],
        about=(
            "Each statement in a fresh interpreter, timed around the import alone "
            "(interpreter start-up excluded); "
            f"{config.import_rounds} interleaved rounds, medians; `httpx, attrs` are this "
            "client's only dependencies; bytecode caches written and used, as in an install. "
            "Client-only: the installed packages that neither "
            "chatkit-threads (no extras) nor openai depends on are made unimportable, as "
            "in an install of the client alone (httpx imports rich and click when present)."
        ),
    )
    samples: dict[str, list[float]] = {stmt: [] for stmt in STATEMENTS}
    for stmt in STATEMENTS:  # warm the file-system cache and the .pyc files
        time_import(stmt)
    for round_ in range(config.import_rounds):
        shift = round_ % len(STATEMENTS)
        for stmt in STATEMENTS[shift:] + STATEMENTS[:shift]:
            samples[stmt].append(time_import(stmt))
    vs_sdk = median([a / b for a, b in zip(samples[OURS], samples[SDK], strict=True)])
    over_deps = median([a - b for a, b in zip(samples[OURS], samples[DEPS], strict=True)])
    for stmt, values in samples.items():
        ratio = median([a / b for a, b in zip(values, samples[SDK], strict=True)])
        section.rows.append([stmt, fmt_ms(median(values)), fmt_ms(min(values)), f"{ratio:.2f}x"])
    loaded = loaded_modules()
    # The response models and the resources load on first use (a client, a response).
    lazy = tuple(
        f"chatkit_threads_api.{name}" for name in ("client_models", "models", "client_resources")
    )
    unneeded = [name for name in loaded if name == "asyncio" or name.startswith(lazy)]
    generated = [name for name in loaded if name.startswith("chatkit_threads_api")]
    section.data = {
        "rounds": config.import_rounds,
        "samples_ms": {k: [round(v, 2) for v in vs] for k, vs in samples.items()},
        "median_ms": {k: round(median(vs), 2) for k, vs in samples.items()},
        "ours_vs_openai": round(vs_sdk, 3),
        "ours_minus_deps_ms": round(over_deps, 2),
        "modules_loaded": len(loaded),
        "generated_modules_loaded": generated,
        "asyncio_loaded": "asyncio" in loaded,
        "top_self_time": culprits(),
        "blocked_modules": list(blocked_modules()),
    }
    section.summary.append(
        f"`import chatkit_threads` is {over_deps:+.1f} ms over `import httpx, attrs` "
        f"(median of per-round differences); it loads {len(loaded)} modules, "
        f"{len(generated)} of them generated; asyncio "
        + ("loaded" if "asyncio" in loaded else "not loaded")
    )
    if unneeded:
        section.notes.append(
            "loaded by `import chatkit_threads` but not needed before a request: "
            + ", ".join(unneeded[:8])
            + (f" and {len(unneeded) - 8} more" if len(unneeded) > 8 else "")
        )
    section.targets += [
        Target(
            name="import chatkit_threads / import openai",
            goal=f"<= {MAX_VS_SDK}x the SDK's import time",
            measured=round(vs_sdk, 3),
            limit=MAX_VS_SDK,
            unit="x",
        ),
        Target(
            name="import chatkit_threads - import httpx, attrs",
            goal=f"<= {MAX_OVER_DEPS_MS:g} ms over importing its two dependencies",
            measured=round(over_deps, 2),
            limit=MAX_OVER_DEPS_MS,
            unit=" ms",
        ),
        Target(
            name="import chatkit_threads: asyncio not imported",
            goal="a sync client-only import does not load asyncio (0 = not loaded)",
            measured=1.0 if "asyncio" in loaded else 0.0,
            limit=0.0,
        ),
    ]
    return section
