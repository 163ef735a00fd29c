"""Consoles whose text a server cannot use to drive the terminal.

Titles, message text, ids and error messages come from the server. Written raw, an
escape sequence in them could clear the screen, set the window title, plant an OSC 8
link, or reverse the reading order (bidi overrides). ``safe`` replaces every such
character with U+FFFD; ``console`` builds rich consoles that apply it to every piece of
text they print (rich's own styling codes are added after, and are not touched). JSON
output does not go through here: it keeps the data, escaped by JSON itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

__all__ = ["console", "safe"]

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


class _SafeConsole(Console):
    """A console that passes every text segment it renders through ``safe``."""

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        """Rich's rendering, with the text of each (non-control) segment made safe."""
        for segment in super().render(renderable, options):
            if segment.control or not _UNSAFE.search(segment.text):
                yield segment
            else:
                yield Segment(safe(segment.text), segment.style)


def console(*, stderr: bool = False) -> Console:
    """A console for stdout (or stderr): no highlighting, lines never broken, and text
    made ``safe``."""
    return _SafeConsole(stderr=stderr, highlight=False, soft_wrap=True)
