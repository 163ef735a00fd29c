"""The top-level ``chatkit-threads`` command: global options and its sub-commands.

``threads ...`` talks to the API through the public client; ``mock ...`` and
``contract ...`` hand their arguments to the mock server's and the contract suite's own
commands, imported only when used so the ``threads`` commands work without those extras.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Annotated

import typer

from .commands import threads_app
from .drift import spec_app
from .errors import EXIT_CODES_HELP, EXIT_USAGE, reporting
from .settings import Settings
from .terminal import use_secrets

__all__ = ["app"]

app = typer.Typer(
    name="chatkit-threads",
    help="Browse, export and delete ChatKit threads; run the mock server and the contract suite.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(threads_app)
app.add_typer(spec_app)


@app.callback()
def global_options(
    ctx: typer.Context,
    base_url: Annotated[
        str | None,
        typer.Option(
            envvar="OPENAI_BASE_URL",
            help="API root.",
            show_default="https://api.openai.com/v1",
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(envvar="OPENAI_API_KEY", help="API key.", show_default=False),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option(min=0, help="Seconds per request.", show_default="60")
    ] = None,
    max_retries: Annotated[
        int | None,
        typer.Option(min=0, help="Retries of a failed request (0 = none).", show_default="2"),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail on any response that departs from the spec.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Log requests and show tracebacks of errors.")
    ] = False,
) -> None:
    """Command-line tool for the ChatKit Threads API (beta)."""
    settings = Settings(
        base_url=base_url,
        api_key=api_key,
        timeout=timeout,
        max_retries=max_retries,
        strict=strict,
        debug=debug,
    )
    settings.configure_logging()
    ctx.obj = settings
    use_secrets(settings.secrets)
    ctx.call_on_close(settings.close)
    ctx.call_on_close(lambda: use_secrets(()))


_FORWARD = {
    "allow_extra_args": True,
    "ignore_unknown_options": True,
    "help_option_names": [],
}


def _forward(module: str, extra: str, ctx: typer.Context) -> None:
    """Run ``module.main(args)`` with the arguments after the sub-command's name.

    A ``main`` that takes ``prog`` is told its name here (``chatkit-threads mock``), so
    its usage lines and messages show the command the user typed.
    """
    try:
        command = importlib.import_module(module)
    except ImportError as error:
        typer.echo(
            f"error: this command needs the '{extra}' extra ({error.name} is missing): "
            f"pip install 'chatkit-threads[{extra}]'",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE) from None
    named = (
        {"prog": ctx.command_path} if "prog" in inspect.signature(command.main).parameters else {}
    )
    try:
        code = command.main(list(ctx.args), **named)
    except SystemExit as exit_:  # argparse exits on --help and on bad usage
        code = exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    raise typer.Exit(int(code or 0))


@app.command(context_settings=_FORWARD, add_help_option=False)
@reporting
def mock(ctx: typer.Context) -> None:
    """Run the mock server: mock serve --port 8000 (see: mock --help)."""
    _forward("chatkit_threads_mock.cli", "mock", ctx)


@app.command(context_settings=_FORWARD, add_help_option=False)
@reporting
def contract(ctx: typer.Context) -> None:
    """Run the contract suite against a server (see: contract --help)."""
    _forward("chatkit_threads_contract.cli", "contract", ctx)
