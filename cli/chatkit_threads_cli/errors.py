"""Exit codes, and turning exceptions into one readable line.

Every command body runs under ``reporting``: an API error becomes ``error: ...`` on
stderr (with the request id when the server sent one) and exit code 1; bad usage
becomes exit code 2. A traceback is printed only with ``--debug``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from chatkit_threads import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ChatKitError,
    ResponseValidationError,
    redact,
)

from .terminal import console

__all__ = [
    "EXIT_API_ERROR",
    "EXIT_CODES_HELP",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageProblem",
    "describe_error",
    "reporting",
    "scrub",
]

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 an API error (or a failed deletion, or a file that could "
    "not be written); 2 a usage error (bad option, missing API key, unanswered prompt); "
    "130 interrupted (Ctrl-C)."
)

# A strict-mode failure can list hundreds of departures; the first few say enough.
_SHOWN_ERRORS = 3

P = ParamSpec("P")
R = TypeVar("R")


class UsageProblem(Exception):
    """A mistake in how the command was called, found after parsing (exit code 2)."""


def _envelope_message(exc: APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = body["error"].get("message")
        if isinstance(message, str) and message:
            return message
    # The client's message already reads "Error code: N - ..."; drop the prefix we repeat.
    return exc.message.split(" - ", 1)[-1]


def describe_error(exc: BaseException) -> tuple[str, int]:
    """The one-line message and the exit code for an exception a command raised."""
    if isinstance(exc, UsageProblem):
        return f"error: {exc}", EXIT_USAGE
    if isinstance(exc, APIStatusError):
        line = f"error: HTTP {exc.status_code}"
        if exc.code:
            line += f" ({exc.code})"
        line += f": {_envelope_message(exc)}"
        if exc.request_id:
            line += f" [request id: {exc.request_id}]"
        return line, EXIT_API_ERROR
    if isinstance(exc, APITimeoutError | APIConnectionError):
        request = exc.request
        what = "timed out" if isinstance(exc, APITimeoutError) else "failed"
        detail = exc.message.split(": ", 1)[-1]
        return (
            f"error: {request.method} {request.url} {what}: {detail}",
            EXIT_API_ERROR,
        )
    if isinstance(exc, ResponseValidationError):
        shown = "; ".join(f"{path}: {problem}" for path, problem in exc.errors[:_SHOWN_ERRORS])
        more = len(exc.errors) - _SHOWN_ERRORS
        tail = f"; and {more} more (--debug shows all)" if more > 0 else ""
        line = f"error: the response does not match the spec (--strict): {shown}{tail}"
        return line, EXIT_API_ERROR
    if isinstance(exc, ValueError | TypeError):
        # The client validates arguments before sending anything and names the argument
        # (its InvalidArgumentError is a ChatKitError too, so this check comes first).
        return f"error: invalid argument: {exc}", EXIT_USAGE
    if isinstance(exc, APIError | ChatKitError):
        return f"error: {' '.join(str(exc).split())}", EXIT_API_ERROR
    if isinstance(exc, OSError):
        return f"error: {exc}", EXIT_API_ERROR
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", EXIT_INTERRUPTED
    return f"error: {type(exc).__name__}: {exc}", EXIT_API_ERROR


def _settings(kwargs: dict[str, object]) -> object:
    # Commands take the context as ``ctx``; the root context holds the global options.
    # (Typer hands over its base context class, so check the behaviour, not the type.)
    find_root = getattr(kwargs.get("ctx"), "find_root", None)
    return None if find_root is None else find_root().obj


def _debug_enabled(kwargs: dict[str, object]) -> bool:
    return bool(getattr(_settings(kwargs), "debug", False))


def _secrets(kwargs: dict[str, object]) -> list[str]:
    secrets = getattr(_settings(kwargs), "secrets", [])
    return [secret for secret in secrets if isinstance(secret, str)]


# The user information of any URL in a message: never shown (a password may be in it).
_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` without the secrets (every spelling ``redact`` knows) or any URL's
    ``user:password@``."""
    for secret in secrets:
        text = redact(text, secret)
    return _USERINFO.sub("<redacted>@", text)


def reporting(command: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command: report its exceptions as one line and exit with their code."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            stderr = console(stderr=True)
            # The library redacts its own messages; this also covers what it did not
            # build (a traceback's frames, another library's exception text).
            secrets = _secrets(kwargs)
            if _debug_enabled(kwargs):
                with stderr.capture() as traceback:
                    stderr.print_exception()
                stderr.file.write(scrub(traceback.get(), secrets))
            line, code = describe_error(exc)
            stderr.print(scrub(line, secrets), markup=False)
            raise typer.Exit(code) from None

    return run
