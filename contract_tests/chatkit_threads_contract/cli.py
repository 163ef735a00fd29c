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

from . import baseline
from .artifacts import write_reports
from .background import ClientRun
from .cli_args import SUITES, build_parser, every_check_name
from .client import CLIENT_CHECKS, ClientContractOptions, run_client_contract
from .config import ConfigError, apply_config, read_config
from .contract import SpecContract, SpecError, load_contract
from .options import ContractOptions, all_check_names
from .report import ContractReport, format_summary, write_junit
from .runner import run_server_contract
from .targets import bundled_mock

__all__ = ["SUITES", "build_parser", "main"]


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
        headers=tuple(args.header),
        max_failures=args.max_failures,
        max_response_time=args.max_response_time,
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


def _parse(argv: list[str] | None) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    """Options from the config file (if any), then the command line over them."""
    parser = build_parser()
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--config")
    known, _ = early.parse_known_args(argv)
    try:
        table, where = read_config(known.config)
        apply_config(parser, table, where)
    except ConfigError as error:
        parser.error(f"--config: {error}")
    args = parser.parse_args(argv)
    excluded = set(args.exclude_checks)
    chosen = [name for name in args.checks if name not in excluded]
    if args.max_response_time is not None and "max_response_time" not in excluded:
        chosen += [] if "max_response_time" in chosen else ["max_response_time"]
    args.checks = tuple(chosen)
    return parser, args


def _check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> SpecContract:
    if args.max_examples < 1:
        parser.error("--max-examples must be at least 1")
    suite_checks = {"server": all_check_names(), "client": CLIENT_CHECKS}
    if not any(name in suite_checks[suite] for suite in args.suites for name in args.checks):
        parser.error(f"none of --checks belongs to --suites {','.join(args.suites)}")
    if args.request_timeout <= 0:
        parser.error("--request-timeout must be a positive number of seconds")
    if args.baseline is not None:
        try:
            args.known = baseline.load(args.baseline)
        except baseline.BaselineError as error:
            parser.error(f"--baseline: {error}")
    try:
        contract = load_contract(args.spec)
    except SpecError as error:
        # One line, whatever the document did (an alias bomb, a bad file, no operations).
        parser.error(f"--spec: {' '.join(str(error).split())}")
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
    return contract


def _finish(args: argparse.Namespace, report: ContractReport) -> int:
    """Print, write the files asked for, and give the exit status."""
    ok = report.ok
    summary = format_summary(report)
    if args.baseline is not None:
        comparison = baseline.compare(report, args.known)
        ok = not report.errors and not comparison.new
        verdict = "PASSED (against the baseline)" if ok else "FAILED (against the baseline)"
        summary += "\n" + "\n".join(comparison.lines()) + f"\n{verdict}"
    print(summary)
    if args.junit_xml:
        write_junit(report, args.junit_xml)
        print(f"JUnit XML written to {args.junit_xml}")
    if args.report:
        for path in write_reports(report, args.report, args.report_dir):
            print(f"report written to {path}")
    if args.save_baseline:
        count = baseline.save(report, args.save_baseline)
        print(f"baseline of {count} findings written to {args.save_baseline}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["replay"]:
        from .replay import main as replay

        return replay(given[1:])
    parser, args = _parse(argv)
    if args.list_checks:
        print("\n".join(every_check_name()))
        return 0
    contract = _check_args(parser, args)
    return _finish(args, _run(args, contract))


if __name__ == "__main__":
    sys.exit(main())
