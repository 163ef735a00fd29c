"""Consoles whose text a server cannot use to drive the terminal.

Titles, message text, ids and error messages come from the server. Written raw, an
escape sequence in them could clear the screen, set the window title, plant an OSC 8
link, or reverse the reading order (bidi overrides). ``safe`` replaces every such
character with U+FFFD; ``console`` builds rich consoles that apply it to every piece of
text they print (rich's own styling codes are added after, and are not touched). JSON
output does not go through ``safe``: it keeps the data, escaped by JSON itself.

Both also hide the secrets of the command being run (the API key, a password in the
base URL, given to ``use_secrets``) wherever they appear, even where a server echoed
them back as an id or a cursor: ``console`` in everything it prints (a console takes
them when it is made, so a worker thread printing through it hides them too), ``echo``
in the JSON it writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextvars import ContextVar

import click
from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

from chatkit_threads import redact

__all__ = ["console", "echo", "hide_secrets", "safe", "use_secrets"]

# C0 controls but tab and newline, DEL and the C1 controls (ESC, CSI, OSC...), the bidi
# embeddings, overrides, isolates and marks, line/paragraph separators, and lone
# surrogates (which no terminal encoding can carry).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2066-\u2069\ud800-\udfff]"
)
REPLACEMENT = "\ufffd"


def safe(text: str) -> str:
    """``text`` with every control, bidi-override and lone-surrogate character replaced."""
    return _UNSAFE.sub(REPLACEMENT, text)


_SECRETS: ContextVar[tuple[str, ...]] = ContextVar("chatkit_threads_cli_secrets", default=())
"""The running command's secrets (set by the top-level command, cleared when it ends)."""


def use_secrets(secrets: Iterable[str]) -> None:
    """Hide these from everything printed until the next call (``()`` at the end)."""
    _SECRETS.set(tuple(secret for secret in secrets if secret))


def _secrets() -> tuple[str, ...]:
    return _SECRETS.get()


def hide_secrets(text: str, secrets: Iterable[str] | None = None) -> str:
    """``text`` with every spelling of each secret (default: the running command's)
    replaced by ``<redacted>``."""
    for secret in _secrets() if secrets is None else secrets:
        text = redact(text, secret)
    return text


class _SafeConsole(Console):
    """A console that passes every text segment it renders through ``safe`` and hides
    ``secrets`` in it."""

    def __init__(self, *, stderr: bool, secrets: tuple[str, ...]) -> None:
        super().__init__(stderr=stderr, highlight=False, soft_wrap=True)
        self._secrets = secrets

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        """Rich's rendering, with the text of each (non-control) segment made safe."""
        for segment in super().render(renderable, options):
            text = segment.text
            if segment.control:
                yield segment
                continue
            if _UNSAFE.search(text):
                text = safe(text)
            if self._secrets:
                text = hide_secrets(text, self._secrets)
            yield segment if text == segment.text else Segment(text, segment.style)


def console(*, stderr: bool = False) -> Console:
    """A console for stdout (or stderr): no highlighting, lines never broken, text
    made ``safe`` and the running command's secrets hidden."""
    return _SafeConsole(stderr=stderr, secrets=_secrets())


def echo(text: str) -> None:
    """Write ``text`` (JSON) and a newline to stdout, the command's secrets hidden."""
    click.echo(hide_secrets(text))
