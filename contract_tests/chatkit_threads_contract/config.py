"""Options from a file: `[tool.chatkit-threads-contract]` in `pyproject.toml`, or `--config FILE`.

Keys are the command's long options without the dashes (`base-url`, `max-examples`,
`checks`, `header`...); a list may stand for a comma-separated value (`checks = ["a",
"b"]`) or a repeated option (`header = ["OpenAI-Project: proj_1"]`). The command line
overrides the file. An unknown key, or a value its option refuses, is a usage error
naming it. `--config FILE` reads FILE's `[tool.chatkit-threads-contract]` table if it
has one, else its top level (a file of its own).
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["TABLE", "ConfigError", "apply_config", "read_config"]

TABLE = "chatkit-threads-contract"
# Options that make no sense in a file (they are actions of one invocation).
_NOT_IN_FILES = {"config", "list_checks", "help"}


class ConfigError(ValueError):
    """A configuration file that cannot be used (the message names the file and key)."""


def read_config(path: Path | str | None, *, cwd: Path | None = None) -> tuple[dict[str, Any], str]:
    """The options table and where it came from (`{}` when there is none).

    Without `path`, `pyproject.toml` in `cwd` (default: the current directory) is read,
    if it exists and has the table."""
    explicit = path is not None
    file = Path(path) if path is not None else (cwd or Path.cwd()) / "pyproject.toml"
    if not explicit and not file.is_file():
        return {}, ""
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read {file}: {error}") from None
    table = data.get("tool", {}).get(TABLE) if isinstance(data.get("tool"), dict) else None
    if table is None:
        table = data if explicit and "tool" not in data else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: [tool.{TABLE}] must be a table")
    return table, str(file)


def _value(action: argparse.Action, key: str, value: Any, where: str) -> Any:
    if isinstance(action, argparse._StoreTrueAction):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: `{key}` must be true or false")
        return value
    if isinstance(action, argparse._AppendAction):
        items = value if isinstance(value, list) else [value]
        return [_convert(action, key, str(item), where) for item in items]
    if isinstance(value, list):
        value = ",".join(str(item) for item in value)
    if isinstance(value, bool | dict):
        raise ConfigError(f"{where}: `{key}` = {value!r} is not a valid value")
    return _convert(action, key, str(value), where)


def _convert(action: argparse.Action, key: str, text: str, where: str) -> Any:
    if action.type is None or not callable(action.type):
        return text
    try:
        return action.type(text)
    except (argparse.ArgumentTypeError, ValueError, TypeError) as error:
        raise ConfigError(f"{where}: `{key}`: {error}") from None


def apply_config(parser: argparse.ArgumentParser, table: dict[str, Any], where: str) -> None:
    """Make the table's values the parser's defaults (the command line still wins)."""
    actions = {
        action.dest: action
        for action in parser._actions
        if action.option_strings and action.dest not in _NOT_IN_FILES
    }
    defaults: dict[str, Any] = {}
    for key, value in table.items():
        dest = str(key).replace("-", "_")
        action = actions.get(dest)
        if action is None:
            known = ", ".join(sorted(name.replace("_", "-") for name in actions))
            raise ConfigError(f"{where}: unknown key `{key}` (known: {known})")
        defaults[dest] = _value(action, str(key), value, where)
    parser.set_defaults(**defaults)
