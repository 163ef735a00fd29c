"""`chatkit-threads-contract replay REPORT`: re-send the requests of a recorded report.

The report is the NDJSON (`events.ndjson`) or HAR (`exchanges.har`) file a run wrote with
`--report`. Each recorded request to one of the spec's operations is sent again, as it
was (method, path, query, headers), to `--base-url` (default: where it went before), with
the key given now in place of the redacted one, and the answer is judged by the same
checks a run uses on one answer: the built-in response checks and the ChatKit ones. To
confirm a fix or a regression without generating cases again.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from . import adapter, adapter_replay
from .checks import CHECKS, check_names
from .cli_args import parse_header
from .contract import SpecContract, SpecError, load_contract, template
from .followup import RunTarget, targeting
from .gaps import document_for
from .guard import DeleteGuard
from .options import DEFAULT_TIMEOUT
from .pacing import Pacer
from .recording import Recorded, record_exchange
from .redaction import Redactor, is_secret_header, redacted_logs
from .report import CheckFailure, ContractReport, format_summary

__all__ = ["main", "read_recorded"]

SUITE = "replay"
_HOP_BY_HOP = {"host", "content-length", "connection", "accept-encoding", "user-agent"}


def read_recorded(path: Path) -> tuple[list[Recorded], str | None]:
    """The exchanges of an NDJSON or HAR report, and the target it names (NDJSON only)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".har" or text.lstrip().startswith('{"log"'):
        entries = json.loads(text)["log"]["entries"]
        return [
            Recorded(
                method=str(e["request"]["method"]),
                url=str(e["request"]["url"]),
                request_headers=[(h["name"], h["value"]) for h in e["request"]["headers"]],
                request_body="",
                status=int(e["response"]["status"]) or None,
                response_headers=[],
                response_body="",
                response_encoding="text",
                elapsed=float(e.get("time", 0)) / 1000,
                started=0.0,
            )
            for e in entries
        ], None
    recorded, target = [], None
    for line in text.splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        if event.get("event") == "run":
            target = event.get("target")
        elif event.get("event") == "exchange":
            recorded.append(Recorded.from_dict(event))
    return recorded, target


def _pattern(path: str) -> re.Pattern[str]:
    parts = re.split(r"\{([^}]+)\}", path)
    body = "".join(
        f"(?P<p{index}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(f"^(?P<base>.*?){body}$")


def _match(contract: SpecContract, method: str, url: str) -> tuple[str, str, dict[str, str]] | None:
    """(base URL, operation path, path parameters) of a recorded URL, if it is an operation's."""
    parts = urlsplit(url)
    for operation in contract.operations.values():
        if operation.method != method.upper():
            continue
        found = _pattern(operation.path).match(parts.path)
        if found is None:
            continue
        values = [unquote(v) for k, v in found.groupdict().items() if k != "base"]
        names = [p.name for p in operation.model.path_params]
        base = f"{parts.scheme}://{parts.netloc}{found.group('base')}"
        return base, operation.path, dict(zip(names, values, strict=False))
    return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatkit-threads-contract replay",
        description="Re-send the requests of a recorded report and judge the answers again.",
    )
    parser.add_argument("report", help="an events.ndjson or exchanges.har written by --report")
    parser.add_argument("--base-url", help="where to send them (default: where they went)")
    parser.add_argument("--api-key", help="API key (default: $OPENAI_API_KEY)")
    parser.add_argument("--spec", metavar="PATH_OR_URL", help="the OpenAPI document")
    parser.add_argument(
        "-H", "--header", action="append", type=parse_header, default=[], metavar="'NAME: VALUE'"
    )
    parser.add_argument("--request-timeout", type=float, default=DEFAULT_TIMEOUT)
    parser.add_argument(
        "--allow-destructive", action="store_true", help="re-send recorded DELETE requests too"
    )
    return parser


def _headers(recorded: Recorded, key: str, extra: dict[str, str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in recorded.request_headers:
        lowered = name.lower()
        if lowered in _HOP_BY_HOP:
            continue
        if lowered == "authorization":
            headers[name] = f"Bearer {key}"
        elif is_secret_header(name):
            if name in extra:
                headers[name] = extra[name]
        else:
            headers[name] = value
    return {**headers, **{k: v for k, v in extra.items() if k not in headers}}


def _replay_all(
    args: argparse.Namespace, contract: SpecContract, recorded: list[Recorded], target: str | None
) -> ContractReport:
    key = args.api_key or os.environ.get("OPENAI_API_KEY", "")
    extra = dict(args.header)
    redactor = Redactor().add(key).add_headers(args.header)
    first = next((m for r in recorded if (m := _match(contract, r.method, r.url))), None)
    base_url = args.base_url or target or (first[0] if first else "")
    report = ContractReport(target=base_url)
    run = RunTarget(
        base_url, contract, Pacer(), args.request_timeout, headers=extra, redactor=redactor
    )
    policy = "all" if args.allow_destructive else "none"
    guard = DeleteGuard(policy, contract)
    checks = (*adapter_replay.REPLAY_BUILTIN_CHECKS, *check_names())
    document, _ = document_for(contract, contract.operation_ids())
    schema = adapter.build_schema(
        document,
        {"base-url": base_url.rstrip("/")},
        operation_ids=contract.operation_ids(),
        exclude_delete=False,
        filter_case=lambda case: True,
        add_examples=lambda operation, examples: None,
        after_call=lambda case, response: None,
    )
    scope = adapter.RunScope(base_url, run.pacer, args.request_timeout, CHECKS, guard.before_send)
    with redacted_logs(redactor), targeting(run), adapter.run_scope(scope):
        for item in recorded:
            matched = _match(contract, item.method, item.url)
            if matched is None:
                continue
            _, path, path_parameters = matched
            if item.method.upper() == "DELETE" and policy == "none":
                report.notes.append(f"not re-sent without --allow-destructive: DELETE {path}")
                continue
            query = dict(parse_qsl(urlsplit(item.url).query, keep_blank_values=True))
            try:
                replayed = adapter_replay.replay(
                    schema,
                    method=item.method,
                    path=path,
                    path_parameters=path_parameters,
                    query=query,
                    headers=_headers(item, key, extra),
                    base_url=base_url.rstrip("/"),
                    timeout=args.request_timeout,
                    checks=checks,
                )
            except Exception as error:  # an unreachable target, a refused DELETE
                shown = redactor.text(f"{item.method} {template(path)}: {error}")
                if shown not in report.errors:
                    report.errors.append(shown)
                continue
            report.exchanges.append(record_exchange(replayed.exchange, redactor))
            for outcome in replayed.outcomes:
                report.record(SUITE, outcome.operation, outcome.check, passed=outcome.passed)
                report.add_time(SUITE, outcome.operation, outcome.check, replayed.exchange.elapsed)
                if not outcome.passed:
                    message = redactor.text(outcome.message or outcome.title)
                    report.add_failure(
                        CheckFailure(
                            SUITE,
                            outcome.operation,
                            outcome.check,
                            redactor.text(outcome.title),
                            message,
                            f"{item.method} {redactor.text(replayed.exchange.url)}",
                        )
                    )
    report.coverage.append(f"replayed {len(report.exchanges)} of {len(recorded)} recorded requests")
    return report


def main(argv: list[str]) -> int:
    """Run `replay`; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        recorded, target = read_recorded(Path(args.report))
    except (OSError, ValueError, KeyError, TypeError) as error:
        parser.error(f"cannot read the report {args.report}: {error}")
    try:
        contract = load_contract(args.spec)
    except SpecError as error:
        parser.error(f"--spec: {' '.join(str(error).split())}")
    report = _replay_all(args, contract, recorded, target)
    print(format_summary(report))
    return 0 if report.ok else 1
