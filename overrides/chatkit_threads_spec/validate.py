"""The one validator of response bodies: every departure of a JSON value from a schema
of the spec, each with its JSON path (``$`` is the root: ``$.data[1].type``).

The client's strict mode, the CLI's drift report and the mock's fixture loader all call
``problems``, so the same bad body gives the same paths and messages everywhere.

What counts (as the client's strict mode has always judged): JSON types exactly
(``true`` is not an integer; ``1.0`` is one, and any integer is a number), ``null``
only where the spec allows it, ``const``, ``enum``, bounds, patterns, required
properties, and the variant a discriminated union's property names. A discriminator
value that is the spec's minus its namespace (``user_message`` for
``chatkit.user_message``) is named as such, and the variant's other departures are
still reported. Unknown properties are not departures (the spec is open to additions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._checks import Problem, compiler, json_type_name, root_null
from ._model import Spec
from ._schemas import RefSchema, Schema

__all__ = ["Problem", "json_type_name", "problems"]


def problems(
    schema: str | Schema,
    value: Any,
    *,
    spec: Spec | Mapping[str, Schema] | None = None,
    check_formats: bool = False,
    root: str = "$",
) -> list[Problem]:
    """Every departure of ``value`` (decoded JSON) from ``schema`` (a component schema
    name, or a schema node), in document order; ``[]`` when it conforms.

    Component references resolve against ``spec`` (a ``Spec`` or its ``schemas``;
    default: ``load_spec()``, which reads the project's document). With
    ``check_formats``, ``format: uri`` is checked too (as fixtures are).
    """
    if spec is None:
        from . import load_spec

        spec = load_spec()
    schemas = spec.schemas if isinstance(spec, Spec) else spec
    checks = compiler(schemas, check_formats)
    node = checks.component(schema) if isinstance(schema, str) else schema
    while isinstance(node, RefSchema) and not node.nullable:
        node = checks.component(node.name)
    found: list[Problem] = []
    if value is None and not checks.nullable(node):
        # At the root a null is judged by the schema's type (``expected object, got null``).
        message = root_null(node)
        if message is not None:
            found.append(Problem(root, message))
        return found
    checks.check(node)(value, root, found)
    return found
