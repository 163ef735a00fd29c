"""The mock server's command line: `chatkit-threads-mock serve ...` and `... load ...`."""

from __future__ import annotations

import argparse
import signal
import sqlite3
import sys
import time
from collections.abc import Sequence

from .api import DEFAULT_API_KEY, REQUIRED_HEADERS
from .protocol import DEFAULT_REQUEST_TIMEOUT
from .proxy import DEFAULT_UPSTREAM_TIMEOUT
from .store import DEFAULT_LOCK_TIMEOUT

__all__ = ["build_parser", "main"]


PROG = "chatkit-threads-mock"


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The argument parser; `prog` names the command in usage lines and messages."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Reference mock server for the ChatKit Threads API (beta).",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def data_options(command: argparse.ArgumentParser, *, db_required: bool) -> None:
        command.add_argument(
            "--db",
            metavar="PATH",
            required=db_required,
            help="SQLite file to fill (required)"
            if db_required
            else "SQLite file to keep data in across restarts (default: in memory)",
        )
        command.add_argument(
            "--seed",
            dest="seeds",
            metavar="SEED",
            action="append",
            help=(
                "default | none | synthetic:THREADS[:ITEMS_PER_THREAD]; repeat to combine, "
                "e.g. --seed default --seed synthetic:1000 (default: default)"
            ),
        )
        command.add_argument(
            "--fixtures",
            metavar="FILE.jsonl",
            action="append",
            default=[],
            help="load threads and items from a JSONL file into the first key (repeatable)",
        )
        command.add_argument(
            "--allow-drift",
            action="store_true",
            help=(
                "store fixture lines that depart from the spec and serve them exactly as "
                "written (e.g. from 'chatkit-threads spec drift --record')"
            ),
        )
        command.add_argument(
            "--api-key",
            dest="api_keys",
            metavar="KEY",
            action="append",
            help=f"an accepted API key, its own project (repeatable; default {DEFAULT_API_KEY})",
        )

    serve = commands.add_parser("serve", help="serve the API over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any)")
    data_options(serve, db_required=False)
    serve.add_argument(
        "--faults",
        metavar="SPEC",
        help="inject faults, e.g. 'latency=50ms,429=0.1,500=0.05,drop=0.01,seed=7'",
    )
    serve.add_argument(
        "--lock-timeout",
        metavar="SECONDS",
        type=_seconds,
        default=DEFAULT_LOCK_TIMEOUT,
        help=(
            "how long a request waits for the --db file's write lock before a 503 with "
            f"Retry-After (default {DEFAULT_LOCK_TIMEOUT:g})"
        ),
    )
    serve.add_argument(
        "--request-timeout",
        metavar="SECONDS",
        type=_seconds,
        default=DEFAULT_REQUEST_TIMEOUT,
        help=(
            "close a connection whose request has not fully arrived after this long "
            f"(default {DEFAULT_REQUEST_TIMEOUT:g})"
        ),
    )
    serve.add_argument(
        "--no-require-beta-header",
        dest="require_beta_header",
        action="store_false",
        help="accept requests without "
        + " or ".join(f"'{name}: {value}'" for name, value in REQUIRED_HEADERS.items()),
    )
    serve.add_argument(
        "--no-admin",
        dest="admin",
        action="store_false",
        help="no admin API under /__admin/ (reset, fixtures, request journal)",
    )
    serve.add_argument(
        "--cors",
        metavar="ORIGIN",
        action="append",
        default=[],
        help="let browser pages from ORIGIN call the mock (repeatable; * for any)",
    )
    proxy = commands.add_parser(
        "proxy", help="forward to an upstream API, check its answers against the spec"
    )
    proxy.add_argument(
        "--upstream", required=True, metavar="URL", help="the API to forward to (its base URL)"
    )
    proxy.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    proxy.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any)")
    proxy.add_argument(
        "--record",
        metavar="DIR",
        help="write what passed through as DIR/fixtures.jsonl (for serve --fixtures)",
    )
    proxy.add_argument(
        "--upstream-timeout",
        metavar="SECONDS",
        type=_seconds,
        default=DEFAULT_UPSTREAM_TIMEOUT,
        help=f"how long to wait for the upstream's answer (default {DEFAULT_UPSTREAM_TIMEOUT:g})",
    )
    load = commands.add_parser("load", help="seed or load fixtures into a database file, then exit")
    data_options(load, db_required=True)
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = PROG) -> int:
    """Run the command; returns the exit code (2 for bad usage or data)."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    api_keys = tuple(getattr(args, "api_keys", None) or (DEFAULT_API_KEY,))
    seed = ",".join(getattr(args, "seeds", None) or ["default"])

    from .faults import parse_faults

    started = time.perf_counter()
    try:
        faults = parse_faults(args.faults) if getattr(args, "faults", None) else None
        if args.command == "proxy":
            return _proxy(args, prog)
        if args.command == "load":
            from .app import create_app

            app = create_app(
                db_path=args.db,
                seed=seed,
                fixtures=args.fixtures,
                allow_drift=args.allow_drift,
                api_keys=api_keys,
            )
            app.store.close()
            print(f"loaded into {args.db} in {time.perf_counter() - started:.1f} s")
            return 0
        from .server import MockServer

        server = MockServer(
            host=args.host,
            port=args.port,
            db_path=args.db,
            seed=seed,
            fixtures=args.fixtures,
            allow_drift=args.allow_drift,
            api_keys=api_keys,
            faults=faults,
            require_beta_header=args.require_beta_header,
            lock_timeout=args.lock_timeout,
            request_timeout=args.request_timeout,
            admin=args.admin,
            cors=args.cors,
        )
        server.start()
    # Bad input of any kind (a seed, a fault spec, a fixture line, a database file that
    # cannot be used, a port in use) is a message naming it and exit code 2, not a
    # traceback.
    except sqlite3.Error as error:
        # Seeding or loading fixtures failed inside SQLite: say which file.
        where = args.db or "the in-memory database"
        print(f"{prog}: {where}: {error}", file=sys.stderr)
        return 2
    except (ValueError, OSError, RuntimeError, ArithmeticError) as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    # The key is the caller's own; show which one by its end only.
    keys = ", ".join(f"...{key[-4:]}" for key in api_keys)
    print(f"ChatKit mock API on {server.base_url} (keys {keys}); Ctrl-C stops it", flush=True)
    # SIGTERM (a service manager, `kill`, a test's terminate()) stops it as Ctrl-C does:
    # open requests finish and the database is closed cleanly.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _proxy(args: argparse.Namespace, prog: str) -> int:
    """Serve the validation proxy until Ctrl-C or SIGTERM, then print what it found."""
    from .proxy_server import ProxyServer

    server = ProxyServer(
        args.upstream,
        host=args.host,
        port=args.port,
        record=args.record,
        upstream_timeout=args.upstream_timeout,
    )
    server.start()
    print(
        f"ChatKit validation proxy on {server.base_url} -> {server.proxy.shown_upstream}; "
        "Ctrl-C stops it",
        flush=True,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print(server.report(), end="", flush=True)
    recorder = server.proxy.recorder
    if recorder is not None and server.recorded is not None:
        written, orphans = server.recorded
        print(f"recorded {written} threads and items into {recorder.path}", flush=True)
        if orphans:
            print(f"left out {orphans} items whose thread was never seen", flush=True)
    return 0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(
            f"expected seconds, more than 0 and at most 3600, got {text!r}"
        )
    return value


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
