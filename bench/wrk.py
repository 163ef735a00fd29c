"""External load generation with `wrk`, and Prism as a second server to compare with.

`wrk` (Debian: `apt-get install wrk`) is a C load generator: it costs the measured
server far less of the shared cores than a Python generator would, so req/s measure the
server. When it is missing, bench.loadgen (Python, asyncio) stands in and the results
say so. Prism (`npx @stoplight/prism-cli mock`) serves the same spec's examples.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ._harness import percentile
from .loadgen import build_requests, run_load

__all__ = [
    "INSTALL_WRK",
    "PRISM_PACKAGE",
    "Load",
    "PrismProcess",
    "have_npx",
    "have_wrk",
    "run_python",
    "run_wrk",
]

INSTALL_WRK = "apt-get install wrk (Debian/Ubuntu) or brew install wrk"
PRISM_PACKAGE = "@stoplight/prism-cli@5"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Load:
    """What one load run measured: completed requests, failures, rate and latency."""

    requests: int
    errors: int
    wall_s: float
    p50_ms: float
    p99_ms: float
    first_error: str | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.wall_s if self.wall_s else float("nan")


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def have_npx() -> bool:
    return shutil.which("npx") is not None


def _lua(paths: Sequence[str], headers: dict[str, str]) -> str:
    def quote(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"wrk.headers[{quote(k)}] = {quote(v)}" for k, v in headers.items()]
    lines.append("local paths = {" + ", ".join(quote(p) for p in paths) + "}")
    lines.append("local i = 0")
    lines.append("request = function()")
    lines.append("  i = i + 1")
    lines.append('  return wrk.format("GET", paths[(i % #paths) + 1])')
    lines.append("end")
    return "\n".join(lines) + "\n"


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"wrk: unreadable duration {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def parse_wrk(output: str) -> Load:
    """Requests, non-2xx/3xx and socket errors, wall time and p50/p99 from wrk --latency."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    if not done:
        raise ValueError(f"wrk: no summary in its output: {output[-300:]!r}")
    wall_s = float(done[2]) * _UNITS[done[3]] / 1000
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    errors = int(non_2xx[1]) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\w+ (\d+)", socket_errors[1]))
    requests = int(done[1])
    return Load(
        requests=requests - (int(non_2xx[1]) if non_2xx else 0),
        errors=errors,
        wall_s=wall_s,
        p50_ms=_duration_ms(p50[1]) if p50 else float("nan"),
        p99_ms=_duration_ms(p99[1]) if p99 else float("nan"),
        first_error=(
            f"{non_2xx[1]} non-2xx responses"
            if non_2xx
            else socket_errors[0]
            if socket_errors
            else None
        ),
    )


def run_wrk(
    port: int,
    paths: Sequence[str],
    headers: dict[str, str],
    *,
    connections: int,
    duration_s: int,
) -> Load:
    """`wrk -t1 -c<connections> -d<duration>s --latency`, rotating over `paths`."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(paths, headers))
    try:
        completed = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{duration_s}s",
                "--latency",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=duration_s + 60,
            stdin=subprocess.DEVNULL,
        )
    finally:
        os.unlink(script.name)
    if completed.returncode:
        raise RuntimeError(f"wrk exited with {completed.returncode}: {completed.stderr[-300:]}")
    return parse_wrk(completed.stdout)


def run_python(
    port: int,
    paths: Sequence[str],
    headers: dict[str, str],
    *,
    connections: int,
    requests: int,
    cap_s: float,
) -> Load:
    """The same load from bench.loadgen (when wrk is missing)."""
    result = run_load(
        port,
        build_requests(paths, headers, "127.0.0.1"),
        total=requests,
        concurrency=connections,
        cap_s=cap_s,
    )
    latencies = result.latencies_us
    return Load(
        requests=len(latencies),
        errors=result.errors,
        wall_s=result.wall_s,
        p50_ms=percentile(latencies, 50) / 1000,
        p99_ms=percentile(latencies, 99) / 1000,
        first_error=result.first_error,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrismProcess:
    """`npx @stoplight/prism-cli mock -v warn` on a spec, on 127.0.0.1; stopped on exit."""

    def __init__(self, spec: Path) -> None:
        self.spec = spec
        self.port = _free_port()
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PrismProcess:
        command = ["npx", "--yes", PRISM_PACKAGE, "mock", "-v", "warn", "-h", "127.0.0.1"]
        self._process = subprocess.Popen(
            [*command, "-p", str(self.port), str(self.spec)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            # Its own process group: npx starts node as a child, and both must stop.
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"prism exited with {self._process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise TimeoutError("prism did not listen within 180 s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        # The group is the one started above (npx and its node child), and nothing else.
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def __exit__(self, *exc: object) -> None:
        self.stop()
