"""Entry point of the ``chatkit-threads`` console script."""

from __future__ import annotations

from collections.abc import Sequence

from .app import app

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="chatkit-threads")
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
