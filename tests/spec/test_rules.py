"""chatkit_threads_spec.rules: one parameter rule for the client and for a server."""

from __future__ import annotations

from typing import Any

import pytest

from chatkit_threads_spec import Parameter, load_spec
from chatkit_threads_spec.rules import (
    ParameterError,
    ParameterTypeError,
    ParameterValueError,
    broken_rule,
    check_param,
    parse_query,
)

SPEC = load_spec()
LIST = SPEC.operation("listThreads")
LIMIT, ORDER, USER, AFTER = (LIST.parameter(n) for n in ("limit", "order", "user", "after"))
assert LIMIT and ORDER and USER and AFTER
LIMIT_MIN, LIMIT_MAX = int(LIMIT.minimum or 0), int(LIMIT.maximum or 0)


def _param(kind: str, **rules: Any) -> Parameter:
    return Parameter("p-q", "p_q", kind, **rules)


@pytest.mark.parametrize(
    ("param", "value", "error", "message"),
    [
        (LIMIT, "20", ParameterTypeError, "limit must be an int, got str"),
        (LIMIT, True, ParameterTypeError, "limit must be an int, got bool"),
        (LIMIT, 2.0, ParameterTypeError, "limit must be an int, got float"),
        (
            LIMIT,
            LIMIT_MAX + 1,
            ParameterValueError,
            f"limit: limit <= {LIMIT_MAX} expected, got {LIMIT_MAX + 1}",
        ),
        (LIMIT, LIMIT_MIN - 1, ParameterValueError, f"limit: limit >= {LIMIT_MIN} expected"),
        (ORDER, "up", ParameterValueError, "order must be 'asc' or 'desc', got 'up'"),
        (USER, "", ParameterValueError, "user: user of at least 1 characters expected, got 0"),
        (_param("number"), "1", ParameterTypeError, "p_q must be a float, got str"),
        (_param("boolean"), 1, ParameterTypeError, "p_q must be a bool, got int"),
        (_param("string", pattern="^[a-z]+$"), "A", ParameterValueError, "p_q must match"),
    ],
)
def test_check_param_names_the_argument(
    param: Parameter, value: Any, error: type[ParameterError], message: str
) -> None:
    with pytest.raises(error) as caught:
        check_param(param, value)
    assert str(caught.value).startswith(message)
    assert caught.value.message == str(caught.value)
    assert caught.value.param == param.name
    # The client's callers catch the builtin kinds.
    assert isinstance(caught.value, TypeError if error is ParameterTypeError else ValueError)


@pytest.mark.parametrize(
    ("param", "value"),
    [(LIMIT, LIMIT_MAX), (LIMIT, LIMIT_MIN), (ORDER, "asc"), (AFTER, ""), (_param("number"), 1)],
)
def test_check_param_returns_allowed_values(param: Parameter, value: Any) -> None:
    assert check_param(param, value) == value


@pytest.mark.parametrize(
    ("param", "raw", "value"),
    [
        (LIMIT, None, LIMIT.default),
        (ORDER, None, ORDER.default),
        (AFTER, "", None),  # empty means absent where the rules allow an empty string
        (LIMIT, "007", 7),
        (LIMIT, "-0", 0),
        (ORDER, "asc", "asc"),
        (USER, "u", "u"),
        (_param("boolean"), "true", True),
        (_param("boolean"), "false", False),
        (_param("number", minimum=0, maximum=1), "0.5", 0.5),
        (_param("integer", enum=(1, 2)), "2", 2),
    ],
)
def test_parse_query_converts(param: Parameter, raw: str | None, value: Any) -> None:
    assert parse_query(param, raw) == value


@pytest.mark.parametrize(
    ("param", "raw", "error", "code", "message"),
    [
        (
            LIMIT,
            str(LIMIT_MAX + 1),
            ParameterValueError,
            "integer_above_max_value",
            f"Invalid 'limit': integer above maximum value. Expected a value <= {LIMIT_MAX}, "
            f"but got '{LIMIT_MAX + 1}' instead.",
        ),
        (
            LIMIT,
            "-3",
            ParameterValueError,
            "integer_below_min_value",
            f"Invalid 'limit': integer below minimum value. Expected a value >= {LIMIT_MIN}, "
            "but got '-3' instead.",
        ),
        (
            LIMIT,
            "2.5",
            ParameterTypeError,
            "invalid_type",
            f"Invalid 'limit': expected an integer from {LIMIT_MIN} to {LIMIT_MAX}, "
            "but got '2.5' instead.",
        ),
        (LIMIT, "", ParameterTypeError, "invalid_type", "Invalid 'limit': expected an integer"),
        pytest.param(
            LIMIT,
            "9" * 5000,
            ParameterValueError,
            "integer_above_max_value",
            "but got '9999",
            id="huge-limit",
        ),
        (ORDER, "", ParameterValueError, "invalid_order", "Invalid 'order': expected 'asc' or"),
        (
            USER,
            "u" * 513,
            ParameterValueError,
            "invalid_user",
            "Invalid 'user': expected 1 to 512 characters, got 513.",
        ),
        (_param("boolean"), "yes", ParameterTypeError, "invalid_type", "expected 'true' or"),
        (_param("number"), "nan", ParameterTypeError, "invalid_type", "expected a number"),
        (_param("number", maximum=1), "2", ParameterValueError, "invalid_type", "to 1, got '2'"),
        (
            _param("string", pattern="^[a-z]+$"),
            "ABC",
            ParameterValueError,
            "invalid_p-q",
            "Invalid 'p-q': does not match the pattern '^[a-z]+$'.",
        ),
    ],
)
def test_parse_query_refuses_as_the_api_words_it(
    param: Parameter, raw: str, error: type[ParameterError], code: str, message: str
) -> None:
    with pytest.raises(error) as caught:
        parse_query(param, raw)
    assert caught.value.message.startswith(f"Invalid '{param.name}': ")
    assert message in caught.value.message
    assert (caught.value.param, caught.value.code) == (param.name, code)
    assert len(caught.value.message) < 200


@pytest.mark.parametrize("param", [LIMIT, ORDER, USER, AFTER])
def test_the_client_and_the_server_sides_agree(param: Parameter) -> None:
    # The same value is allowed by check_param exactly when its text is by parse_query.
    candidates: list[Any] = [LIMIT_MIN - 1, LIMIT_MIN, LIMIT_MAX, LIMIT_MAX + 1, 5]
    candidates += ["asc", "desc", "up", "x", "u" * 600, *(param.enum or ())]
    for value in candidates:
        try:
            check_param(param, value)
        except TypeError:
            continue  # a Python type the wire cannot carry as such
        except ValueError:
            with pytest.raises(ParameterError):
                parse_query(param, str(value))
            assert broken_rule(param, value) is not None
        else:
            assert parse_query(param, str(value)) == value
            assert broken_rule(param, value) is None
