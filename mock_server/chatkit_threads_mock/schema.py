"""The OpenAPI document and JSON Schema validators built from it.

The mock carries the OpenAPI document as `chatkit-threads.yaml` (a symlink to
`openapi/` in the source tree, a copy in a built wheel), so it checks the data it is
given (fixtures) against the same spec it implements. The contract suite, which
depends on the mock, reads the spec through this module too.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["SPEC_PATH", "component_validator", "load_spec", "schema_validator"]

SPEC_PATH = Path(str(resources.files(__package__).joinpath("chatkit-threads.yaml")))
"""Path of the OpenAPI document this package was built with."""


@functools.cache
def _load_cached(path: str) -> dict[str, Any]:
    # Imported here: only fixtures and the contract suite need PyYAML.
    import yaml

    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not an OpenAPI document (top level is not a mapping)")
    return document


def load_spec(path: Path | str | None = None) -> dict[str, Any]:
    """Return the parsed OpenAPI document (cached; treat it as read-only)."""
    return _load_cached(str(path or SPEC_PATH))


def schema_validator(schema: dict[str, Any], spec: dict[str, Any] | None = None) -> Any:
    """A JSON Schema 2020-12 validator for `schema` that resolves `#/components/...`.

    OpenAPI 3.1 schemas are JSON Schema 2020-12, so the stock validator applies once
    local references resolve against the whole document.
    """
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    document = spec if spec is not None else load_spec()
    # The schema is placed inside a copy of the document so that both its own
    # `#/components/...` references and the document's resolve.
    root = dict(document, __schema__=schema)
    wrapped = {"$ref": "urn:chatkit-threads#/__schema__"}
    registry: Registry[Any] = Registry().with_resource(
        "urn:chatkit-threads", DRAFT202012.create_resource(root)
    )
    return Draft202012Validator(wrapped, registry=registry)


def component_validator(name: str) -> Any:
    """A validator for `#/components/schemas/<name>` of the bundled spec."""
    return schema_validator({"$ref": f"#/components/schemas/{name}"})
