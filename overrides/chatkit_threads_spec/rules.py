"""The one check of a parameter value, wherever it is made.

``check_param`` is what the client runs on an argument before anything is sent;
``parse_query`` is what a server (the mock) runs on the text it received, turning it
into the typed value by the same rules. Both decide with ``broken_rule``, so the two
sides cannot disagree about what the spec allows; each words the answer for its reader
(a Python caller, or an HTTP client reading a 400 envelope worded as the API words it).
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from ._model import Parameter

__all__ = [
    "ParameterError",
    "ParameterTypeError",
    "ParameterValueError",
    "broken_rule",
    "check_param",
    "parse_query",
]


class ParameterError(Exception):
    """A parameter value the spec does not allow.

    ``param`` is its name on the wire, ``message`` says why (also ``str(error)``), and
    ``code`` is the error code a server answers with (``None`` for the client's checks).
    """

    def __init__(self, param: str, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.param = param
        self.message = message
        self.code = code


class ParameterTypeError(ParameterError, TypeError):
    """The value has the wrong type (``limit="20"``)."""


class ParameterValueError(ParameterError, ValueError):
    """The value breaks a rule: outside the enum, the bounds, or the pattern."""


_PY_TYPES: dict[str, tuple[type | tuple[type, ...], str]] = {
    "string": (str, "a str"),
    "integer": (int, "an int"),
    "number": ((int, float), "a float"),
    "boolean": (bool, "a bool"),
    "array": ((list, tuple), "a list"),
    "object": (dict, "a dict"),
}


# A tuple made once: `int | float` in the check would build a new union on every call.
_NUMBERS = (int, float)


def broken_rule(param: Parameter, value: Any) -> str | None:
    """The first rule of ``param`` a value of the right type breaks: ``"enum"``,
    ``"min_length"``, ``"max_length"``, ``"minimum"``, ``"maximum"``, ``"pattern"``;
    ``None`` when it breaks none."""
    if param.enum is not None and value not in param.enum:
        return "enum"
    if isinstance(value, str):
        if param.min_length is not None and len(value) < param.min_length:
            return "min_length"
        if param.max_length is not None and len(value) > param.max_length:
            return "max_length"
        if param.pattern is not None and re.search(param.pattern, value) is None:
            return "pattern"
        return None
    if isinstance(value, _NUMBERS) and not isinstance(value, bool):
        if param.minimum is not None and value < param.minimum:
            return "minimum"
        if param.maximum is not None and value > param.maximum:
            return "maximum"
    return None


def check_param(param: Parameter, value: Any) -> Any:
    """``value`` if it satisfies the spec's rules for ``param``; else
    ``ParameterTypeError`` (a ``TypeError``: wrong type) or ``ParameterValueError`` (a
    ``ValueError``: outside the enum, the bounds or the pattern), naming the argument."""
    name = param.python_name
    expected = _PY_TYPES.get(param.kind)
    # bool is an int subclass; limit=True is a bug, not 1.
    if expected is not None and (
        not isinstance(value, expected[0])
        or (param.kind in ("integer", "number") and isinstance(value, bool))
    ):
        raise ParameterTypeError(
            param.name, f"{name} must be {expected[1]}, got {type(value).__name__}"
        )
    rule = broken_rule(param, value)
    if rule is None:
        return value
    if rule == "enum":
        choices = " or ".join(repr(v) for v in param.enum or ())
        message = f"{name} must be {choices}, got {value!r}"
    elif rule == "pattern":
        message = f"{name} must match the pattern {param.pattern!r}, got {value!r}"
    else:
        message = f"{name}: {_bound_words(param, rule, value, name)}"
    raise ParameterValueError(param.name, message)


def _bound_words(param: Parameter, rule: str, value: Any, what: str) -> str:
    if rule == "min_length":
        return f"{what} of at least {param.min_length} characters expected, got {len(value)}"
    if rule == "max_length":
        return f"{what} of at most {param.max_length} characters expected, got {len(value)}"
    if rule == "minimum":
        return f"{what} >= {param.minimum} expected, got {value!r}"
    return f"{what} <= {param.maximum} expected, got {value!r}"


# --- the server side ---------------------------------------------------------------------

_INTEGER = re.compile(r"(-?)([0-9]+)")
# Past this many digits a number is out of any bound: int() of it is slow, or refused.
_MAX_DIGITS = 30


def _shown(text: str) -> str:
    """A sent value quoted for an error message, cut at 40 characters."""
    return f"{text[:40]!r}" + ("..." if len(text) > 40 else "")


def parse_query(param: Parameter, raw: str | None) -> Any:
    """The typed value of a query parameter received as ``raw`` (``None``: not sent).

    Not sent, or sent empty where the rules allow an empty string (``after=``: no
    cursor), gives the spec's default (or ``None``). Otherwise the text is converted to
    ``param.kind`` and checked by the same rules as ``check_param``; a value that fails
    raises ``ParameterTypeError``/``ParameterValueError`` whose ``message`` and ``code``
    are what the API answers in its 400 envelope (``Invalid 'limit': ...``).
    """
    if raw is None or (raw == "" and param.empty_means_absent):
        return param.default
    name = param.name
    if param.enum is not None:
        allowed = _by_text(param.enum)
        if raw not in allowed:
            expected = " or ".join(f"'{value}'" for value in allowed)
            raise ParameterValueError(
                name, f"Invalid '{name}': expected {expected}, got {raw[:40]!r}.", f"invalid_{name}"
            )
        return allowed[raw]
    if param.kind == "integer":
        return _integer(param, raw)
    if param.kind == "number":
        return _number(param, raw)
    if param.kind == "boolean":
        if raw not in ("true", "false"):
            raise ParameterTypeError(
                name,
                f"Invalid '{name}': expected 'true' or 'false', got {raw[:40]!r}.",
                "invalid_type",
            )
        return raw == "true"
    if param.kind == "string":
        rule = broken_rule(param, raw)
        if rule == "pattern":
            raise ParameterValueError(
                name,
                f"Invalid '{name}': does not match the pattern {param.pattern!r}.",
                f"invalid_{name}",
            )
        if rule is not None:
            low, high = param.min_length or 0, param.max_length
            expected = f"{low} to {high}" if high is not None else f"at least {low}"
            raise ParameterValueError(
                name,
                f"Invalid '{name}': expected {expected} characters, got {len(raw)}.",
                f"invalid_{name}",
            )
    return raw


@functools.cache
def _by_text(enum: tuple[Any, ...]) -> dict[str, Any]:
    # Each allowed value by the text that sends it, worked out once per enum (it is read,
    # never changed).
    return {str(value): value for value in enum}


def _integer(param: Parameter, raw: str) -> int:
    name, low, high = param.name, param.minimum, param.maximum
    if raw.isascii() and raw.isdigit():
        # Plain digits, the usual case: what the pattern below matches, found sooner.
        sign, digits = "", raw
    else:
        match = _INTEGER.fullmatch(raw)
        if match is None:
            bounds = f" from {low} to {high}" if low is not None and high is not None else ""
            raise ParameterTypeError(
                name,
                f"Invalid '{name}': expected an integer{bounds}, but got {_shown(raw)} instead.",
                "invalid_type",
            )
        sign, digits = match.groups()
    digits = digits.lstrip("0") or "0"
    if len(digits) <= _MAX_DIGITS:
        value = int(sign + digits)
    else:
        value = (-1 if sign == "-" else 1) * 10**_MAX_DIGITS
    rule = broken_rule(param, value)
    if rule == "minimum":
        raise ParameterValueError(
            name,
            f"Invalid '{name}': integer below minimum value. "
            f"Expected a value >= {low}, but got {_shown(raw)} instead.",
            "integer_below_min_value",
        )
    if rule == "maximum":
        raise ParameterValueError(
            name,
            f"Invalid '{name}': integer above maximum value. "
            f"Expected a value <= {high}, but got {_shown(raw)} instead.",
            "integer_above_max_value",
        )
    return value


def _number(param: Parameter, raw: str) -> float:
    name, low, high = param.name, param.minimum, param.maximum
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    message = (
        f"Invalid '{name}': expected a number"
        + (f" from {low}" if low is not None else "")
        + (f" to {high}" if high is not None else "")
        + f", got {raw[:40]!r}."
    )
    if not math.isfinite(value):
        raise ParameterTypeError(name, message, "invalid_type")
    if broken_rule(param, value) is not None:
        raise ParameterValueError(name, message, "invalid_type")
    return value
