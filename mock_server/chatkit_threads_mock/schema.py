"""The spec's JSON Schemas, for checking data the mock is given (fixtures).

The mock carries the OpenAPI document as `chatkit-threads.yaml` (a symlink to
`openapi/` in the source tree, a copy in a built wheel), so it checks against the same
spec it implements without depending on the contract suite or the client.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

__all__ = ["component_validator"]


@functools.cache
def _spec() -> dict[str, Any]:
    import yaml

    text = resources.files(__package__).joinpath("chatkit-threads.yaml").read_text("utf-8")
    spec: dict[str, Any] = yaml.safe_load(text)
    return spec


def component_validator(name: str) -> Any:
    """A JSON Schema 2020-12 validator for `#/components/schemas/<name>`.

    OpenAPI 3.1 schemas are JSON Schema 2020-12; the whole document is registered so
    that the schema's `#/components/...` references resolve.
    """
    # Imported here: only loading fixtures needs jsonschema and PyYAML.
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    registry: Registry[Any] = Registry().with_resource(
        "urn:chatkit-threads", DRAFT202012.create_resource(_spec())
    )
    schema = {"$ref": f"urn:chatkit-threads#/components/schemas/{name}"}
    return Draft202012Validator(schema, registry=registry)
