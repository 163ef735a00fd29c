"""The console scripts' entry points: each names the extra to install when it is missing.

The three commands are installed with the package whatever extras were chosen, so a
client-only install has ``chatkit-threads-mock`` too; run without starlette (or typer,
or schemathesis) it says which extra brings them, and exits 2, instead of a traceback.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence

__all__ = ["EXIT_MISSING_EXTRA", "cli", "contract", "mock"]

EXIT_MISSING_EXTRA = 2


def _run(prog: str, module: str, extra: str, argv: Sequence[str] | None) -> int:
    try:
        main: Callable[[list[str] | None], int] = importlib.import_module(module).main
    except ModuleNotFoundError as error:
        if (error.name or "").startswith("chatkit_threads"):
            raise  # our own package is broken: not a missing extra
        print(
            f"{prog}: needs the '{extra}' extra ({error.name} is not installed): "
            f"pip install 'chatkit-threads[{extra}]' (from a checkout: pip install '.[{extra}]')",
            file=sys.stderr,
        )
        return EXIT_MISSING_EXTRA
    return main(list(argv) if argv is not None else None)


def cli(argv: Sequence[str] | None = None) -> int:
    """``chatkit-threads``: the command line (extra ``cli``)."""
    return _run("chatkit-threads", "chatkit_threads_cli.main", "cli", argv)


def mock(argv: Sequence[str] | None = None) -> int:
    """``chatkit-threads-mock``: the mock server (extra ``mock``)."""
    return _run("chatkit-threads-mock", "chatkit_threads_mock.cli", "mock", argv)


def contract(argv: Sequence[str] | None = None) -> int:
    """``chatkit-threads-contract``: the contract suite (extra ``contract``)."""
    return _run("chatkit-threads-contract", "chatkit_threads_contract.cli", "contract", argv)
