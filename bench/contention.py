"""Two mock servers on one SQLite file while a third process holds its write lock.

    python -m bench.contention            # bench/results/contention.json
    python -m bench.contention --quick    # a smaller data set, same timeline

Two `chatkit-threads-mock serve --db FILE` processes share one file. Readers (list,
retrieve, list items) and deleters (the `chatkit_threads` client, with its retries)
run against both for the whole timeline: a few seconds without contention (the first
second, warm-up, left out), then 5 seconds during which another process holds
`BEGIN IMMEDIATE` on the file, then a few seconds after. Reported: p50/p99 of reads
without and during the hold, the 5xx the callers saw (reads; deletes after the
client's retries), the 503s the servers answered while the lock was held (retried by
the client), and an integrity check of the file afterwards (every acknowledged delete
is gone, with its items; nothing else is).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ._harness import Config, Section, Target, fmt_ms, percentile, request_headers

__all__ = ["HOLD_S", "main", "run"]

HOLD_S = 5.0
"""How long the third process holds the file's write lock."""

BEFORE_S = 3.0
# The start of the run (new connections, cold caches) is not the baseline.
WARMUP_S = 1.0
AFTER_S = 3.0
READERS_PER_SERVER = 2
# The lock is held for 5 s and each attempt waits up to the server's 2 s lock timeout:
# enough retries that a delete started in the hold outlasts it.
DELETE_RETRIES = 5
# Reads "unaffected": p99 during the hold within this factor of p99 without it, or
# under the floor (on a shared 2-core machine a few ms of noise is not contention).
MAX_P99_GROWTH = 2.0
P99_FLOOR_MS = 50.0
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class _Log:
    """What the load threads saw: (start time, latency, status) per request."""

    reads: list[tuple[float, float, int]] = field(default_factory=list)
    deletes: list[tuple[float, float, str]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    answered: list[tuple[float, int]] = field(default_factory=list)
    """Every HTTP answer the deleters got, retries included: (time, status)."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def _serve(db: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chatkit_threads_mock",
            "serve",
            "--port",
            "0",
            "--db",
            str(db),
            "--seed",
            "none",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    if " on " not in banner:
        process.kill()
        raise RuntimeError(f"mock server did not start: {process.communicate()[1][-500:]}")
    return process, banner.split(" on ", 1)[1].split(" ", 1)[0]


_HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")
print("released", flush=True)
"""


def _reader(base_url: str, key: str, ids: list[str], stop: threading.Event, log: _Log) -> None:
    headers = request_headers(key)
    paths = ["/chatkit/threads?limit=20"]
    for thread_id in ids:
        paths += [f"/chatkit/threads/{thread_id}", f"/chatkit/threads/{thread_id}/items"]
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        index = 0
        while not stop.is_set():
            started = time.perf_counter()
            try:
                status = client.get(paths[index % len(paths)]).status_code
            except httpx.HTTPError:
                status = 0
            with log.lock:
                log.reads.append((started, time.perf_counter() - started, status))
            index += 1


def _deleter(base_url: str, key: str, ids: list[str], stop: threading.Event, log: _Log) -> None:
    from chatkit_threads import ChatKit, ChatKitError

    def answered(response: httpx.Response) -> None:
        with log.lock:
            log.answered.append((time.perf_counter(), response.status_code))

    with httpx.Client(event_hooks={"response": [answered]}, timeout=30) as http:
        client = ChatKit(
            api_key=key, base_url=base_url, http_client=http, max_retries=DELETE_RETRIES
        )
        for thread_id in ids:
            if stop.is_set():
                return
            started = time.perf_counter()
            try:
                client.threads.delete(thread_id)
                outcome = "deleted"
            except ChatKitError as error:
                outcome = type(error).__name__
            with log.lock:
                log.deletes.append((started, time.perf_counter() - started, outcome))
                if outcome == "deleted":
                    log.deleted.append(thread_id)
            # Paced: the point is deletes arriving all through the hold, not throughput.
            time.sleep(0.05)


def _integrity(db: Path, project: str, before: set[str], deleted: list[str]) -> dict[str, Any]:
    connection = sqlite3.connect(db)
    try:
        remaining = {
            row[0]
            for row in connection.execute("SELECT id FROM threads WHERE project = ?", (project,))
        }
        orphans = connection.execute(
            "SELECT count(*) FROM items WHERE thread_id NOT IN (SELECT id FROM threads)"
        ).fetchone()[0]
        quick_check = connection.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        connection.close()
    return {
        "acknowledged_deletes_still_present": len(set(deleted) & remaining),
        "threads_lost_without_a_delete": len(before - set(deleted) - remaining),
        "orphan_items": orphans,
        "quick_check": quick_check,
    }


def run(config: Config) -> Section:
    """The scenario; `config.quick` only shrinks the data set."""
    from chatkit_threads_mock import DEFAULT_API_KEY, project_for_key

    section = Section(
        name="contention",
        title=(
            f"Two mock servers on one SQLite file, a third process holding its write lock "
            f"for {HOLD_S:g} s"
        ),
        header=["phase", "reads", "read p50", "read p99", "read 5xx", "deletes", "delete 5xx"],
    )
    synthetic = 2_000 if config.quick else 20_000
    with tempfile.TemporaryDirectory(prefix="chatkit-contention-") as folder:
        db = Path(folder) / "shared.db"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "chatkit_threads_mock",
                "load",
                "--db",
                str(db),
                "--seed",
                "default",
                "--seed",
                f"synthetic:{synthetic}:2",
            ],
            check=True,
            capture_output=True,
        )
        project = project_for_key(DEFAULT_API_KEY)
        connection = sqlite3.connect(db)
        all_ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM threads WHERE project = ? ORDER BY created_at, id", (project,)
            )
        ]
        connection.close()
        # Readers read the newest threads, deleters delete the oldest: disjoint sets.
        read_ids, delete_ids = all_ids[-50:], all_ids[:-50]
        servers = [_serve(db), _serve(db)]
        log = _Log()
        stop = threading.Event()
        threads: list[threading.Thread] = []
        try:
            for number, (_, base_url) in enumerate(servers):
                for _ in range(READERS_PER_SERVER):
                    threads.append(
                        threading.Thread(
                            target=_reader,
                            args=(base_url, DEFAULT_API_KEY, read_ids, stop, log),
                        )
                    )
                threads.append(
                    threading.Thread(
                        target=_deleter,
                        args=(base_url, DEFAULT_API_KEY, delete_ids[number::2], stop, log),
                    )
                )
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            time.sleep(BEFORE_S)
            holder = subprocess.Popen(
                [sys.executable, "-c", _HOLDER, str(db), str(HOLD_S)],
                stdout=subprocess.PIPE,
                text=True,
            )
            assert holder.stdout is not None
            if holder.stdout.readline().strip() != "held":
                raise RuntimeError("the lock holder did not take the write lock")
            hold_start = time.perf_counter()
            if holder.stdout.readline().strip() != "released":
                raise RuntimeError("the lock holder did not release the write lock")
            hold_end = time.perf_counter()
            holder.wait(timeout=30)
            holder.stdout.close()
            time.sleep(AFTER_S)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            for process, _ in servers:
                process.terminate()
            codes = [process.wait(timeout=30) for process, _ in servers]
            for process, _ in servers:
                for stream in (process.stdout, process.stderr):
                    if stream is not None:
                        stream.close()
        integrity = _integrity(db, project, set(delete_ids), log.deleted)

    def phase(name: str, low: float, high: float) -> dict[str, Any]:
        reads = [(lat, status) for t, lat, status in log.reads if low <= t < high]
        latencies_ms = [lat * 1000 for lat, _ in reads]
        deletes = [outcome for t, _, outcome in log.deletes if low <= t < high]
        row: dict[str, Any] = {
            "phase": name,
            "reads": len(reads),
            "read_p50_ms": percentile(latencies_ms, 50),
            "read_p99_ms": percentile(latencies_ms, 99),
            "read_max_ms": max(latencies_ms, default=float("nan")),
            "read_5xx": sum(1 for _, status in reads if status >= 500 or status == 0),
            "deletes": len(deletes),
            "deleted": deletes.count("deleted"),
            "delete_5xx": sum(1 for outcome in deletes if outcome != "deleted"),
            "delete_outcomes": {o: deletes.count(o) for o in sorted(set(deletes))},
        }
        section.rows.append(
            [
                name,
                f"{row['reads']:,}",
                fmt_ms(row["read_p50_ms"]),
                fmt_ms(row["read_p99_ms"]),
                str(row["read_5xx"]),
                f"{row['deletes']:,}",
                str(row["delete_5xx"]),
            ]
        )
        return row

    phases = [
        phase("before the hold", started + WARMUP_S, hold_start),
        phase(f"during the {HOLD_S:g} s hold", hold_start, hold_end),
        phase("after the hold", hold_end, float("inf")),
    ]
    before, during = phases[0], phases[1]
    answered_503 = sum(1 for t, status in log.answered if status == 503)
    answered_5xx_during = sum(
        1 for t, status in log.answered if status >= 500 and hold_start <= t < hold_end + 3
    )
    section.data = {
        "hold_s": HOLD_S,
        "measured_hold_s": hold_end - hold_start,
        "servers": len(servers),
        "readers_per_server": READERS_PER_SERVER,
        "delete_retries": DELETE_RETRIES,
        "threads_in_file": len(all_ids),
        "phases": phases,
        "server_503_answers": answered_503,
        "server_5xx_answers_around_the_hold": answered_5xx_during,
        "server_exit_codes": codes,
        "integrity": integrity,
    }
    section.summary = [
        f"the servers answered {answered_503} DELETE attempts with 503 database_busy during "
        f"the hold; the client retried them ({DELETE_RETRIES} retries, Retry-After 1 s)",
        "integrity afterwards: "
        + ", ".join(f"{k.replace('_', ' ')} = {v}" for k, v in integrity.items()),
    ]
    limit = max(MAX_P99_GROWTH * before["read_p99_ms"], P99_FLOOR_MS)
    total_5xx = sum(p["read_5xx"] + p["delete_5xx"] for p in phases)
    lost = (
        integrity["acknowledged_deletes_still_present"]
        + integrity["threads_lost_without_a_delete"]
        + integrity["orphan_items"]
    )
    section.targets = [
        Target(
            name="contention: read p99 during the write-lock hold",
            goal=(
                f"unaffected: within {MAX_P99_GROWTH:g}x of p99 without the hold "
                f"({before['read_p99_ms']:.1f} ms), or under {P99_FLOOR_MS:g} ms"
            ),
            measured=round(during["read_p99_ms"], 2),
            limit=round(limit, 2),
            unit=" ms",
        ),
        Target(
            name="contention: 5xx seen by callers",
            goal="0 (reads; deletes after the client's retries)",
            measured=total_5xx,
            limit=0,
        ),
        Target(
            name="contention: deletes lost or half done",
            goal="0 (integrity check of the file afterwards)",
            measured=lost if integrity["quick_check"] == "ok" else float(lost + 1),
            limit=0,
        ),
    ]
    return section


def _results(section: Section, config: Config, argv: list[str]) -> dict[str, Any]:
    """The same JSON shape as `python -m bench` writes."""
    from importlib import metadata

    versions: dict[str, str | None] = {}
    for name in ("chatkit-threads", "httpx", "starlette", "uvicorn"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    targets = [dict(t.to_json(), section=section.name) for t in section.targets]
    return {
        "schema": 1,
        "command": " ".join(["python -m bench.contention", *argv]).strip(),
        "quick": config.quick,
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(section.elapsed_s, 1),
        "machine": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "versions": versions,
        "config": {"hold_s": HOLD_S, "before_s": BEFORE_S, "after_s": AFTER_S},
        "sections": {section.name: section.to_json()},
        "targets": targets,
        "all_met": all(t["met"] is True for t in targets) and bool(targets),
        "missed": [t["name"] for t in targets if t["met"] is False],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the scenario, print its table, write the JSON results."""
    from . import report

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m bench.contention", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller data set")
    parser.add_argument(
        "--output", help="JSON results path (default bench/results/contention.json)"
    )
    args = parser.parse_args(argv)
    config = Config.quick_run() if args.quick else Config.full()
    started = time.perf_counter()
    try:
        section = run(config)
    except Exception as error:
        section = Section(
            name="contention", title="contention", error=f"{type(error).__name__}: {error}"
        )
    section.elapsed_s = time.perf_counter() - started
    results = _results(section, config, argv)
    output = (
        Path(args.output)
        if args.output
        else RESULTS / ("contention-quick.json" if args.quick else "contention.json")
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=1) + "\n")
    print(report.render_text(results))
    print(f"results written to {output}")
    return 1 if section.error else 0


if __name__ == "__main__":
    sys.exit(main())
