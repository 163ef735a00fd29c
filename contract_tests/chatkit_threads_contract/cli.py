"""`chatkit-threads-contract`: run the contract suite against a server and report.

Two suites: `server` (the server at `--base-url`, or the bundled mock server started on
127.0.0.1 when none is given) and `client` (the `chatkit_threads` client, in memory).
Exit status: 0 when every check that ran passed and every check that did not run was
left out by the user's own options; 1 when a check failed, could not run for another
reason, or the run errored (e.g. an unreachable server); 2 on bad usage (including a
refused destructive run or an unusable `--spec`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence

from .background import ClientRun
from .client import CLIENT_CHECKS, ClientContractOptions, run_client_contract
from .contract import SpecContract, SpecError, load_contract
from .options import DEFAULT_TIMEOUT, PHASES, ContractOptions, all_check_names
from .pacing import parse_rate
from .report import ContractReport, format_summary, write_junit
from .runner import run_server_contract
from .targets import bundled_mock

__all__ = ["build_parser", "main"]

DEFAULT_MAX_EXAMPLES = 25
SUITES = ("server", "client")


def every_check_name() -> tuple[str, ...]:
    """Every check `--checks` accepts: the server suite's, then the client suite's."""
    return all_check_names() + CLIENT_CHECKS


def _csv(allowed: Sequence[str], what: str) -> Callable[[str], tuple[str, ...]]:
    def parse(value: str) -> tuple[str, ...]:
        names = tuple(part.strip() for part in value.split(",") if part.strip())
        unknown = [name for name in names if name not in allowed]
        if unknown or not names:
            given = ", ".join(unknown) or "(none given)"
            raise argparse.ArgumentTypeError(
                f"unknown {what} {given}; choose from: {', '.join(allowed)}"
            )
        return names

    return parse


def _names(value: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in value.split(",") if part.strip())
    if not names:
        raise argparse.ArgumentTypeError("no operation given")
    return names


def build_parser() -> argparse.ArgumentParser:
    """The command's argument parser (also used by `chatkit-threads contract`)."""
    parser = argparse.ArgumentParser(
        prog="chatkit-threads-contract",
        description=(
            "Check a ChatKit Threads API server, and the chatkit_threads client, against the "
            "OpenAPI contract. Without --base-url the bundled mock server is started on "
            "127.0.0.1 and tested."
        ),
    )
    parser.add_argument(
        "--base-url",
        help="server to test, e.g. https://api.openai.com/v1 (default: the bundled mock server)",
    )
    parser.add_argument(
        "--api-key",
        help="API key (default: $OPENAI_API_KEY; the mock's own key for the bundled mock)",
    )
    parser.add_argument(
        "--other-api-key",
        help="a second API key of the same server, to check that data does not leak between keys",
    )
    parser.add_argument(
        "--max-examples",
        type=int,
        default=DEFAULT_MAX_EXAMPLES,
        help=(
            "generated examples per operation and phase, and per operation and client check "
            f"(default {DEFAULT_MAX_EXAMPLES})"
        ),
    )
    parser.add_argument("--seed", type=int, help="random seed, to repeat a run exactly")
    parser.add_argument(
        "--spec",
        metavar="PATH_OR_URL",
        help=(
            "the OpenAPI document to test against (default: the bundled spec); operations are "
            "recognised by method and path, so OpenAI's published document works too"
        ),
    )
    parser.add_argument(
        "--operations",
        type=_names,
        help="comma-separated operation ids of the spec (default: all it declares)",
    )
    parser.add_argument(
        "--checks",
        type=_csv(every_check_name(), "check"),
        default=every_check_name(),
        help="comma-separated check names (default: all; see README for each check's meaning)",
    )
    parser.add_argument(
        "--suites",
        type=_csv(SUITES, "suite"),
        default=SUITES,
        help=(
            "server (the API at --base-url), client (the chatkit_threads client, in memory, "
            "no network) or both (default: server,client)"
        ),
    )
    parser.add_argument(
        "--phases",
        type=_csv(PHASES, "phase"),
        default=PHASES,
        help=f"comma-separated schemathesis phases (default: {','.join(PHASES)})",
    )
    parser.add_argument(
        "--allow-destructive",
        action="store_true",
        help=(
            "allow DELETE against --base-url (only the bundled mock is deleted from without "
            "asking); on a non-local server only threads the suite saw listed are deleted"
        ),
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"seconds to wait for each answer (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--rate-limit",
        metavar="N/UNIT",
        help="send at most N requests per s, m or h, e.g. 10/s (HTTP 429 answers are always "
        "waited out as the server asks)",
    )
    parser.add_argument("--junit-xml", metavar="PATH", help="write a JUnit XML report to PATH")
    parser.add_argument("--list-checks", action="store_true", help="print the check names and exit")
    return parser


def _run_server(args: argparse.Namespace, contract: SpecContract) -> ContractReport:
    options = dict(
        max_examples=args.max_examples,
        seed=args.seed,
        operations=args.operations,
        checks=tuple(name for name in args.checks if name in all_check_names()),
        phases=args.phases,
        allow_destructive=args.allow_destructive,
        spec=args.spec,
        request_timeout=args.request_timeout,
        rate_limit=args.rate_limit,
    )
    if args.base_url is None:
        with bundled_mock() as mock:
            print(f"Testing the bundled mock server at {mock.base_url}", file=sys.stderr)
            return run_server_contract(
                ContractOptions(
                    base_url=mock.base_url,
                    api_key=args.api_key or mock.api_key,
                    other_api_key=args.other_api_key or mock.other_api_key,
                    bundled=True,
                    **options,
                ),
                contract=contract,
            )
    return run_server_contract(
        ContractOptions(
            base_url=args.base_url,
            api_key=args.api_key or os.environ.get("OPENAI_API_KEY", ""),
            other_api_key=args.other_api_key,
            **options,
        ),
        contract=contract,
    )


def _run(args: argparse.Namespace, contract: SpecContract) -> ContractReport:
    started = time.perf_counter()
    server = "server" in args.suites and any(name in all_check_names() for name in args.checks)
    client = "client" in args.suites and any(name in CLIENT_CHECKS for name in args.checks)
    client_options = (
        ClientContractOptions(
            max_examples=args.max_examples,
            seed=args.seed,
            operations=_client_operations(args.operations, contract),
            checks=tuple(name for name in args.checks if name in CLIENT_CHECKS),
        )
        if client
        else None
    )
    # Both suites: the client suite runs in a forked process meanwhile (see `background`).
    pending = ClientRun(client_options) if server and client_options is not None else None
    try:
        report: ContractReport | None = _run_server(args, contract) if server else None
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise
    if client_options is not None:
        print("Testing the chatkit_threads client in memory", file=sys.stderr)
        client_report = (
            pending.result() if pending is not None else run_client_contract(client_options)
        )
        if report is None:
            report = client_report
        else:
            report.merge(client_report)
    assert report is not None  # main() refuses a selection that runs nothing
    # The suites may have run side by side: the time is the wall time, not their sum.
    report.elapsed = time.perf_counter() - started
    return report


def _client_operations(
    operations: tuple[str, ...] | None, contract: SpecContract
) -> tuple[str, ...]:
    """The client suite knows the bundled spec's operation ids: map the selection onto them."""
    # The spec under test is usually the bundled one: not read and parsed a second time.
    bundled = contract if contract.bundled else load_contract()
    if operations is None:
        return bundled.operation_ids()
    roles = {op.role for op in contract.operations.values() if op.operation_id in operations}
    return tuple(op.operation_id for role, op in bundled.operations.items() if role in roles)


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_checks:
        print("\n".join(every_check_name()))
        return 0
    if args.max_examples < 1:
        parser.error("--max-examples must be at least 1")
    suite_checks = {"server": all_check_names(), "client": CLIENT_CHECKS}
    if not any(name in suite_checks[suite] for suite in args.suites for name in args.checks):
        parser.error(f"none of --checks belongs to --suites {','.join(args.suites)}")
    if args.request_timeout <= 0:
        parser.error("--request-timeout must be a positive number of seconds")
    if args.rate_limit is not None:
        try:
            parse_rate(args.rate_limit)
        except ValueError as error:
            parser.error(f"--rate-limit: {error}")
    try:
        contract = load_contract(args.spec)
    except SpecError as error:
        parser.error(f"--spec: {error}")
    if args.operations is not None:
        unknown = [name for name in args.operations if contract.by_id(name) is None]
        if unknown:
            parser.error(
                f"unknown operation {', '.join(unknown)}; the spec declares: "
                f"{', '.join(contract.operation_ids())}"
            )
        args.operations = tuple(
            op.operation_id for name in args.operations if (op := contract.by_id(name)) is not None
        )
    if args.base_url is not None and "server" in args.suites:
        if not args.base_url.startswith(("http://", "https://")):
            parser.error("--base-url must start with http:// or https://")
        if not (args.api_key or os.environ.get("OPENAI_API_KEY")):
            parser.error("no API key: pass --api-key or set OPENAI_API_KEY")
        delete = contract.operations.get("delete_thread")
        if delete is not None and not args.allow_destructive:
            if args.operations == (delete.operation_id,):
                # Refused before anything is sent: the only operation asked for is DELETE.
                parser.error(f"refusing to DELETE on {args.base_url} without --allow-destructive")
            if args.operations is None or delete.operation_id in args.operations:
                print(
                    f"DELETE will not be sent to {args.base_url} "
                    "(pass --allow-destructive to test it)",
                    file=sys.stderr,
                )
    report = _run(args, contract)
    print(format_summary(report))
    if args.junit_xml:
        write_junit(report, args.junit_xml)
        print(f"JUnit XML written to {args.junit_xml}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
