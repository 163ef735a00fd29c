"""What a server run tests and how hard: the options of the command, and the check names.

Kept apart from the runner so the command, the pytest entry and the project's tests can
build options without pulling in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .checks import check_names
from .targets import is_local_url

__all__ = [
    "BUILTIN_CHECKS",
    "DEFAULT_TIMEOUT",
    "PHASES",
    "ContractOptions",
    "DestructiveRequestRefused",
    "TargetUnreachable",
    "all_check_names",
]

PHASES = ("examples", "coverage", "fuzzing", "stateful")

BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
)
"""Built-in schemathesis checks the suite runs. `object_level_authorization` needs a
web-fuzzing-commons user file (`data_isolated_per_key` covers the same ground here);
`max_response_time` runs when `--max-response-time` is given."""

OPT_IN_CHECKS = ("max_response_time",)
"""Built-in checks that judge only when their option is given."""

DEFAULT_TIMEOUT = 30.0


def all_check_names() -> tuple[str, ...]:
    """Every server check `--checks` accepts: built-in first, then the ChatKit ones."""
    return BUILTIN_CHECKS + OPT_IN_CHECKS + check_names()


def default_checks() -> tuple[str, ...]:
    """The server checks a run selects when none are named."""
    return BUILTIN_CHECKS + check_names()


class DestructiveRequestRefused(RuntimeError):
    """A DELETE the run does not allow reached the point of sending (it is not sent)."""


class TargetUnreachable(RuntimeError):
    """The server did not answer the first request (refused, unknown host, or timed out)."""


@dataclass
class ContractOptions:
    """What to test and how hard; mirrors the command's options."""

    base_url: str
    api_key: str
    other_api_key: str | None = None
    max_examples: int = 25
    seed: int | None = None
    operations: tuple[str, ...] | None = None
    """Operation ids of the spec under test (`None`: all it declares)."""
    checks: tuple[str, ...] = field(default_factory=default_checks)
    phases: tuple[str, ...] = PHASES
    allow_destructive: bool = False
    bundled: bool = False
    """The target is the bundled mock this process started: deleting is always allowed."""
    spec: str | None = None
    """Path or URL of the spec under test (`None`: the bundled spec)."""
    request_timeout: float = DEFAULT_TIMEOUT
    """Seconds each whole answer (status line, headers, body) may take."""
    rate_limit: str | None = None
    """At most this many requests, e.g. `10/s`, `100/m`, `5 per second` (see `pacing`)."""
    headers: tuple[tuple[str, str], ...] = ()
    """Extra headers (`-H NAME: VALUE`) sent with every request."""
    max_failures: int | None = None
    """Stop after this many failing check runs (`None`: never stop early)."""
    max_response_time: float | None = None
    """Milliseconds an answer may take before `max_response_time` fails (`None`: no bound)."""

    @property
    def local(self) -> bool:
        """Whether the target is on this machine's loopback (127.0.0.0/8, ::1, localhost)."""
        return is_local_url(self.base_url)

    @property
    def delete_policy(self) -> str:
        """`all`, `listed` (only threads the suite saw listed) or `none`.

        Only the bundled mock is deleted from without asking. With `--allow-destructive`
        a local server may lose any thread; a remote one only threads the run listed.
        """
        if self.bundled:
            return "all"
        if not self.allow_destructive:
            return "none"
        return "all" if self.local else "listed"
