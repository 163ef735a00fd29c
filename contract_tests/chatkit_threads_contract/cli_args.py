"""The command line of `chatkit-threads-contract`: its options and how they are read."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence

from .artifacts import FORMATS
from .client import CLIENT_CHECKS
from .config import TABLE
from .options import DEFAULT_TIMEOUT, PHASES, all_check_names, default_checks
from .pacing import parse_rate

__all__ = ["SUITES", "build_parser", "default_check_names", "every_check_name", "parse_header"]

DEFAULT_MAX_EXAMPLES = 25
SUITES = ("server", "client")


def every_check_name() -> tuple[str, ...]:
    """Every check `--checks` accepts: the server suite's, then the client suite's."""
    return all_check_names() + CLIENT_CHECKS


def default_check_names() -> tuple[str, ...]:
    """The checks that run when `--checks` is not given (opt-in ones join with their option)."""
    return default_checks() + CLIENT_CHECKS


_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


def parse_header(text: str) -> tuple[str, str]:
    """`NAME: VALUE` -> (name, value); a name that is not a token or a value with a line
    break is refused."""
    name, colon, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not colon or not _HEADER_NAME.match(name):
        raise argparse.ArgumentTypeError(f"expected 'NAME: VALUE', got {text.split(':')[0]!r}...")
    if any(ch in value for ch in "\r\n\0"):
        raise argparse.ArgumentTypeError(f"the value of {name} holds a line break")
    return name, value


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
        if not number > 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {value}")
        return number

    return parse


def _rate(value: str) -> str:
    try:
        parse_rate(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


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
        epilog=(
            "chatkit-threads-contract replay REPORT [--base-url URL] re-sends the requests "
            "of a recorded --report file (events.ndjson or exchanges.har) and judges the "
            "answers again (replay --help for its options)."
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
        default=default_check_names(),
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
        help=(
            "seconds each whole answer (status line, headers and body) may take "
            f"(default {DEFAULT_TIMEOUT:g})"
        ),
    )
    parser.add_argument(
        "--rate-limit",
        type=_rate,
        metavar="RATE",
        help="send at most RATE requests: 10/s, 100/m, 1000/h, 5/10s, '10 per second' (HTTP "
        "429 answers are always waited out as the server asks)",
    )
    parser.add_argument(
        "-H",
        "--header",
        action="append",
        type=parse_header,
        default=[],
        metavar="'NAME: VALUE'",
        help=(
            "add a header to every request the server suite sends (repeatable), e.g. "
            "-H 'OpenAI-Project: proj_123'; values of secret-looking headers are redacted"
        ),
    )
    parser.add_argument(
        "--exclude-checks",
        type=_csv(every_check_name(), "check"),
        default=(),
        metavar="NAMES",
        help="comma-separated checks not to run (applied after --checks)",
    )
    parser.add_argument(
        "--max-failures",
        type=_positive(int),
        metavar="N",
        help="stop the server suite after N failing check runs (the report says what did not run)",
    )
    parser.add_argument(
        "--max-response-time",
        type=_positive(float),
        metavar="MS",
        help="fail `max_response_time` for any answer slower than MS milliseconds",
    )
    parser.add_argument("--junit-xml", metavar="PATH", help="write a JUnit XML report to PATH")
    parser.add_argument(
        "--report",
        type=_csv(FORMATS, "report format"),
        default=(),
        metavar="FORMATS",
        help=f"report files to write into --report-dir: {','.join(FORMATS)}",
    )
    parser.add_argument(
        "--report-dir",
        default="contract-reports",
        metavar="DIR",
        help="where --report files go (default: contract-reports)",
    )
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        help="known findings (from --save-baseline): exit 0 unless something new fails",
    )
    parser.add_argument(
        "--save-baseline", metavar="FILE", help="save this run's findings as the baseline"
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"read options from FILE (default: [tool.{TABLE}] in ./pyproject.toml)",
    )
    parser.add_argument("--list-checks", action="store_true", help="print the check names and exit")
    return parser
