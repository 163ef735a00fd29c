"""The ChatKit Threads OpenAPI document: loading it, validating against it, linting it.

The document and the validators come from the bundled mock server's `schema` module
(one copy of the spec, one way to build a validator); this module adds what only the
suite and `scripts/lint-spec` need: walking the document's examples and linting it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chatkit_threads_mock.schema import SPEC_PATH, load_spec, schema_validator

__all__ = [
    "SPEC_PATH",
    "iter_examples",
    "lint_spec",
    "load_spec",
    "schema_validator",
]


def iter_examples(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """Yield `(where, schema, example)` for every example in the document."""
    components = spec.get("components", {})

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node and node["$ref"].startswith("#/components/"):
            _, _, section, name = node["$ref"].split("/", 3)
            node = components[section][name]
        return node

    def from_media(where: str, media: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
        schema = media.get("schema", {})
        if "example" in media:
            yield where, schema, media["example"]
        for name, example in media.get("examples", {}).items():
            yield f"{where} example {name!r}", schema, resolve(example)["value"]

    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for code, response in operation.get("responses", {}).items():
                for ctype, media in resolve(response).get("content", {}).items():
                    yield from from_media(f"{method.upper()} {path} {code} {ctype}", media)
        for operation in [item, *[v for k, v in item.items() if k != "parameters"]]:
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                parameter = resolve(parameter)
                if "example" in parameter:
                    yield (
                        f"{path} parameter {parameter['name']}",
                        parameter["schema"],
                        parameter["example"],
                    )
    for name, response in components.get("responses", {}).items():
        for ctype, media in response.get("content", {}).items():
            yield from from_media(f"components/responses/{name} {ctype}", media)
    for name, schema in components.get("schemas", {}).items():
        if "example" in schema:
            yield f"components/schemas/{name}", schema, schema["example"]
        for index, example in enumerate(schema.get("examples", [])):
            yield f"components/schemas/{name} examples[{index}]", schema, example


def lint_spec(path: Path | str | None = None) -> list[str]:
    """Validate the document and all its examples; return the problems found."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    spec = load_spec(path)
    try:
        validate(spec)
    except OpenAPIValidationError as error:
        return [f"invalid OpenAPI document: {error}"]
    problems = []
    seen: set[str] = set()
    for where, schema, example in iter_examples(spec):
        if where in seen:
            continue
        seen.add(where)
        for mismatch in schema_validator(schema, spec).iter_errors(example):
            location = "/".join(str(p) for p in mismatch.absolute_path) or "(root)"
            problems.append(f"{where}: at {location}: {mismatch.message}")
    return problems
