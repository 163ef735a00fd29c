"""The document -> the spec model: operations, parameters, responses, links, servers.

References are followed by ``_refs`` (the one resolver); this module reads what the
client, the mock and the contract suite need from each operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import SpecError
from ._model import Link, Operation, Parameter, Response, Spec
from ._names import python_name
from ._refs import SchemaBuilder, mapping_at, resolve, text
from ._schemas import ArraySchema, ObjectSchema, RefSchema, ScalarSchema, Schema, UnionSchema

__all__ = ["METHODS", "build_parameter", "build_spec", "object_const"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
"""The keys of a path item that are operations (OpenAPI 3.1)."""


def _parameter(
    document: Mapping[str, Any], schemas: SchemaBuilder, raw: Any, where: str
) -> Parameter:
    param = mapping_at(resolve(document, raw, where), where)
    name, location = param.get("name"), param.get("in")
    if not isinstance(name, str) or not isinstance(location, str):
        raise SpecError(f"{where}: a parameter needs a string `name` and `in`")
    where = f"{where}, parameter {name}"
    raw_schema = param.get("schema", {})
    built = schemas.build(raw_schema, where)
    schema_name = built.name if isinstance(built, RefSchema) else None
    while isinstance(built, RefSchema):
        built = schemas.component(built.name)
    facts: dict[str, Any] = {}
    if isinstance(built, ScalarSchema):
        kind = built.kind
        enum = (
            built.enum
            if built.enum is not None
            else ((built.const,) if built.const is not None else None)
        )
        facts = {
            "enum": enum,
            "minimum": built.minimum,
            "maximum": built.maximum,
            "min_length": built.min_length,
            "max_length": built.max_length,
            "pattern": built.pattern,
            "default": built.default,
        }
    elif isinstance(built, ArraySchema):
        kind = "array"
    elif isinstance(built, ObjectSchema):
        kind = "object"
    else:
        kind = "any"
    # A default written beside the $ref wins over the referenced schema's.
    if isinstance(raw_schema, Mapping) and "default" in raw_schema:
        facts["default"] = raw_schema["default"]
    return Parameter(
        name,
        python_name(name, "param"),
        kind,
        location,
        bool(param.get("required", location == "path")),
        schema_name=schema_name,
        description=text(param.get("description")),
        **facts,
    )


def _response(
    document: Mapping[str, Any], schemas: SchemaBuilder, status: str, raw: Any, where: str
) -> tuple[Response, tuple[Link, ...]]:
    where = f"{where}, response {status}"
    response = mapping_at(resolve(document, raw, where), where)
    content = mapping_at(response.get("content"), f"{where}/content")
    media = next(
        (m for t, m in content.items() if str(t).split(";")[0].strip() == "application/json"), None
    )
    schema = None
    if media is not None and "schema" in mapping_at(media, where):
        schema = schemas.build(media["schema"], f"{where}/content/application/json/schema")
    links = []
    for link_name, raw_link in mapping_at(response.get("links"), f"{where}/links").items():
        link = mapping_at(resolve(document, raw_link, where), f"{where}/links/{link_name}")
        target = link.get("operationId")
        if target is None:
            continue  # an operationRef: nothing here uses those
        links.append(
            Link(
                str(link_name),
                str(target),
                {str(k): str(v) for k, v in mapping_at(link.get("parameters"), where).items()},
                status,
                text(link.get("description")),
            )
        )
    headers = tuple(str(h) for h in mapping_at(response.get("headers"), f"{where}/headers"))
    return Response(status, text(response.get("description")), schema, headers), tuple(links)


def build_parameter(
    parameter: Mapping[str, Any], document: Mapping[str, Any] | None = None
) -> Parameter:
    """The model of one parameter object (``{"name": ..., "in": ..., "schema": ...}``);
    its ``$ref``s resolve against ``document`` (default: none may be used)."""
    document = document if document is not None else {}
    return _parameter(document, SchemaBuilder(document), parameter, "parameter")


def object_const(schemas: Mapping[str, Schema], name: str) -> str | None:
    """The ``object`` constant of component ``name``, or the one its variants share."""
    schema = schemas.get(name)
    if isinstance(schema, UnionSchema):
        values = {
            object_const(schemas, v.name) if isinstance(v, RefSchema) else None
            for v in schema.variants
        }
        return values.pop() if len(values) == 1 else None
    if isinstance(schema, RefSchema):
        return object_const(schemas, schema.name)
    if not isinstance(schema, ObjectSchema):
        return None
    field = schema.properties.get("object")
    if isinstance(field, ScalarSchema) and field.single_value is not None:
        return str(field.single_value)
    return None


def _operation(
    document: Mapping[str, Any],
    schemas: SchemaBuilder,
    built: Mapping[str, Schema],
    path: str,
    method: str,
    shared: list[Any],
    raw: Mapping[str, Any],
) -> Operation:
    op_id = raw.get("operationId")
    where = f"operation {method.upper()} {path}"
    if not isinstance(op_id, str) or not op_id:
        raise SpecError(f"{where}: needs an operationId")
    where = f"{where} ({op_id})"
    merged: dict[tuple[str, str], Parameter] = {}
    for item in [*shared, *(raw.get("parameters") or [])]:
        param = _parameter(document, schemas, item, where)
        merged[param.name, param.location] = param
    responses: dict[str, Response] = {}
    links: list[Link] = []
    for status, raw_response in mapping_at(raw.get("responses"), f"{where}/responses").items():
        response, found = _response(document, schemas, str(status), raw_response, where)
        responses[str(status)] = response
        links += found
    success = next((r for s, r in responses.items() if s.startswith("2")), None)
    response_schema = None
    if success is not None and isinstance(success.schema, RefSchema):
        response_schema = success.schema.name
    paginated, page_items = False, None
    body = built.get(response_schema) if response_schema else None
    if isinstance(body, ObjectSchema):
        data = body.properties.get("data")
        if "has_more" in body.properties and isinstance(data, ArraySchema):
            paginated = True
            page_items = data.items.name if isinstance(data.items, RefSchema) else None
    tags = raw.get("tags") or []
    method_name = raw.get("x-python-method")
    return Operation(
        op_id,
        method.upper(),
        str(path),
        tuple(merged.values()),
        responses,
        method_name=None if method_name is None else str(method_name),
        resource=str(tags[0]) if len(tags) == 1 else None,
        response_schema=response_schema,
        response_object=None if response_schema is None else object_const(built, response_schema),
        paginated=paginated,
        page_items=page_items,
        links=tuple(links),
        request_body="requestBody" in raw,
        summary=text(raw.get("summary")),
        description=text(raw.get("description")),
    )


def build_spec(document: Mapping[str, Any]) -> Spec:
    """The model of a parsed OpenAPI document; ``SpecError`` naming what is wrong."""
    try:
        return _build_spec(document)
    except RecursionError:
        raise SpecError("the spec nests its schemas too deeply to read") from None


def _build_spec(document: Mapping[str, Any]) -> Spec:
    if not isinstance(document, Mapping):
        raise SpecError("not an OpenAPI document (the top level is not a mapping)")
    if "paths" not in document and "openapi" not in document:
        raise SpecError("not an OpenAPI document (no `openapi` version and no `paths`)")
    schemas = SchemaBuilder(document)
    built = {str(name): schemas.component(str(name)) for name in schemas.raw}
    operations = []
    for path, raw_item in mapping_at(document.get("paths"), "paths").items():
        item = mapping_at(resolve(document, raw_item, f"path {path}"), f"path {path}")
        shared = list(item.get("parameters") or [])
        for method in METHODS:
            raw = item.get(method)
            if raw is not None:
                where = f"operation {method.upper()} {path}"
                operations.append(
                    _operation(
                        document, schemas, built, str(path), method, shared, mapping_at(raw, where)
                    )
                )
    seen: set[str] = set()
    for op in operations:
        if op.operation_id in seen:
            raise SpecError(f"operationId {op.operation_id!r} is used twice")
        seen.add(op.operation_id)
    info = mapping_at(document.get("info"), "info")
    servers = document.get("servers") or [{}]
    first = servers[0] if isinstance(servers, list) and isinstance(servers[0], Mapping) else {}
    return Spec(
        version=text(info.get("version")),
        base_url=text(first.get("url")).rstrip("/"),
        operations=tuple(operations),
        schemas=built,
        title=text(info.get("title")),
        tags={
            str(tag["name"]): text(tag.get("description"))
            for tag in document.get("tags") or []
            if isinstance(tag, Mapping) and "name" in tag
        },
    )
