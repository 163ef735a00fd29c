"""The spec model (chatkit_threads_spec) against the document it reads."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatkit_threads_spec import (
    ArraySchema,
    ObjectSchema,
    Parameter,
    RefSchema,
    ScalarSchema,
    Spec,
    SpecError,
    UnionSchema,
    build_parameter,
    build_spec,
    load_document,
    load_spec,
    resolve,
    spec_path,
)

from .conftest import ROOT

DOCUMENT: dict[str, Any] = yaml.safe_load((ROOT / "openapi" / "chatkit-threads.yaml").read_text())
METHODS = ("get", "put", "post", "delete", "patch")


def _component(ref: str) -> tuple[str, dict[str, Any]]:
    # Tests look references up by hand, one level: the document uses no deeper ones.
    _, _, section, name = ref.split("/")
    node: dict[str, Any] = DOCUMENT["components"][section][name]
    return name, node


def _raw_operations() -> list[tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
    found = []
    for path, item in DOCUMENT["paths"].items():
        for method in METHODS:
            if method in item:
                params = [
                    _component(p["$ref"])[1] if "$ref" in p else p
                    for p in [*item.get("parameters", []), *item[method].get("parameters", [])]
                ]
                found.append((path, method, item[method], params))
    return found


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec()


def test_the_project_document_is_found_and_loaded(spec: Spec) -> None:
    assert spec_path() == ROOT / "openapi" / "chatkit-threads.yaml"
    assert load_spec() is spec  # cached
    assert load_document() == DOCUMENT
    assert spec.version == DOCUMENT["info"]["version"]
    assert spec.base_url == DOCUMENT["servers"][0]["url"].rstrip("/")
    assert spec.base_url.endswith(spec.base_path) and spec.base_path.startswith("/")
    assert spec.tags == {t["name"]: t["description"] for t in DOCUMENT["tags"]}


def test_every_operation_is_read_with_its_method_path_and_names(spec: Spec) -> None:
    raw = _raw_operations()
    assert [op.operation_id for op in spec.operations] == [r[2]["operationId"] for r in raw]
    for path, method, operation, _ in raw:
        op = spec.operation(operation["operationId"])
        assert (op.method, op.path) == (method.upper(), path)
        assert op.method_name == operation["x-python-method"]
        assert op.resource == operation["tags"][0]
        assert op.summary == operation["summary"]
        assert set(op.responses) == {str(s) for s in operation["responses"]}
    with pytest.raises(KeyError, match="noSuchOperation"):
        spec.operation("noSuchOperation")


def test_every_parameter_is_read_with_its_rules(spec: Spec) -> None:
    for _, _, operation, params in _raw_operations():
        op = spec.operation(operation["operationId"])
        assert [(p.name, p.location) for p in op.parameters] == [
            (p["name"], p["in"]) for p in params
        ]
        for raw, param in zip(params, op.parameters, strict=True):
            schema = raw["schema"]
            if "$ref" in schema:
                name, schema = _component(schema["$ref"])
                assert param.schema_name == name
            assert param.kind == schema["type"]
            assert param.required == raw.get("required", False)
            assert param.enum == (tuple(schema["enum"]) if "enum" in schema else None)
            assert param.minimum == schema.get("minimum")
            assert param.maximum == schema.get("maximum")
            assert param.min_length == schema.get("minLength")
            assert param.max_length == schema.get("maxLength")
            assert param.default == schema.get("default")
            assert param.description == raw.get("description", "")
            assert param.python_name.isidentifier()
        assert op.query == op.parameters_in("query")
        assert op.path_params == tuple(p for p in op.parameters if p.location == "path")
        assert all(op.parameter(p.name) is p for p in op.query)


def test_the_fixed_header_is_the_beta_header(spec: Spec) -> None:
    _, beta = _component("#/components/parameters/OpenAIBeta")
    expected = {beta["name"]: beta["schema"]["enum"][0]}
    assert spec.fixed_headers == expected
    assert all(op.headers == expected for op in spec.operations)


def test_success_schema_pagination_and_links(spec: Spec) -> None:
    for _, _, operation, _ in _raw_operations():
        op = spec.operation(operation["operationId"])
        ok = operation["responses"]["200"]
        name, schema = _component(ok["content"]["application/json"]["schema"]["$ref"])
        assert op.response_schema == name
        assert op.response_object == schema["properties"]["object"]["const"]
        assert op.paginated == ("has_more" in schema["properties"])
        if op.paginated:
            items = schema["properties"]["data"]["items"]["$ref"]
            assert op.page_items == _component(items)[0]
        assert op.responses["200"].schema == RefSchema(name)
        assert "x-request-id" in op.responses["200"].headers
        raw_links = ok.get("links", {})
        assert [(link.name, link.operation_id, dict(link.parameters)) for link in op.links] == [
            (key, value["operationId"], value["parameters"]) for key, value in raw_links.items()
        ]
        assert all(spec.operation(link.operation_id) for link in op.links)
        error = op.responses["400"].schema
        assert isinstance(error, RefSchema) and error.name == "ErrorResponse"
    assert spec.list_object == "list"
    assert {kind: (r.schema, r.parent) for kind, r in spec.resources.items()} == {
        "chatkit.thread": ("ThreadResource", None),
        "chatkit.thread_item": ("ThreadItem", "thread_id"),
    }


def test_every_schema_is_read(spec: Spec) -> None:
    raw = DOCUMENT["components"]["schemas"]
    assert list(spec.schemas) == list(raw)
    for name, node in raw.items():
        schema = spec.schema(name)
        assert schema.description == node.get("description", "")
        if "oneOf" in node:
            assert isinstance(schema, UnionSchema) and schema.name == name
            assert schema.discriminator == node["discriminator"]["propertyName"]
            assert dict(schema.mapping) == {
                value: _component(ref)[0] for value, ref in node["discriminator"]["mapping"].items()
            }
            assert schema.variants == tuple(
                RefSchema(_component(v["$ref"])[0]) for v in node["oneOf"]
            )
            assert schema.unknown_class == node.get("x-unknown-class")
        elif "properties" in node:
            assert isinstance(schema, ObjectSchema) and schema.name == name
            assert list(schema.properties) == list(node["properties"])
            assert schema.required == tuple(node["required"])
            for key, prop in node["properties"].items():
                _check_property(schema.properties[key], prop, f"{name}.{key}")
        else:
            assert isinstance(schema, ScalarSchema)
            assert schema.enum == tuple(node["enum"])


def _check_property(built: Any, prop: dict[str, Any], where: str) -> None:
    types: Any = prop.get("type")
    null_variants = [alt for alt in prop.get("oneOf", []) if alt.get("type") == "null"]
    nullable = (isinstance(types, list) and "null" in types) or bool(null_variants)
    assert built.nullable == nullable, where
    assert built.description == prop.get("description", ""), where
    if "$ref" in prop or null_variants:
        ref = prop.get("$ref") or next(a["$ref"] for a in prop["oneOf"] if "$ref" in a)
        assert isinstance(built, RefSchema) and built.name == _component(ref)[0], where
    elif types == "array":
        assert isinstance(built, ArraySchema), where
        _check_property(built.items, prop["items"], f"{where}[]")
    else:
        assert isinstance(built, ScalarSchema), where
        kinds = [types] if isinstance(types, str) else list(types or ["string"])
        assert built.kind == next(t for t in kinds if t != "null"), where
        assert built.const == prop.get("const"), where
        assert built.enum == (tuple(prop["enum"]) if "enum" in prop else None), where
        for key, raw in (
            ("min_length", "minLength"),
            ("max_length", "maxLength"),
            ("format", "format"),
        ):
            assert getattr(built, key) == prop.get(raw), where


def test_nullable_forms_and_arrays(spec: Spec) -> None:
    item = spec.schema("UserMessageItem")
    assert isinstance(item, ObjectSchema)
    options = item.properties["inference_options"]  # oneOf: [$ref, {type: null}]
    assert options == RefSchema("InferenceOptions", nullable=True, description=options.description)
    content = item.properties["content"]
    assert isinstance(content, ArraySchema) and content.items == RefSchema("UserMessageContent")
    thread = spec.schema("ThreadResource")
    assert isinstance(thread, ObjectSchema)
    title = thread.properties["title"]  # a type list with "null"
    assert isinstance(title, ScalarSchema) and (title.kind, title.nullable) == ("string", True)
    obj = thread.properties["object"]
    assert isinstance(obj, ScalarSchema) and obj.const == "chatkit.thread"
    attachment = spec.schema("Attachment")
    assert isinstance(attachment, ObjectSchema)
    preview = attachment.properties["preview_url"]
    assert isinstance(preview, ScalarSchema) and preview.format == "uri"


def _document(**schemas: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "paths": {}, "components": {"schemas": schemas}}


def test_resolve_follows_chains_and_pointer_escapes() -> None:
    document = {"a": {"$ref": "#/b~1c"}, "b/c": {"$ref": "#/d/0"}, "d": [{"x": 1}]}
    assert resolve(document, {"$ref": "#/a"}) == {"x": 1}


@pytest.mark.parametrize(
    ("document", "said"),
    [
        (
            _document(A={"$ref": "#/components/schemas/B"}, B={"$ref": "#/components/schemas/A"}),
            "cycle",
        ),
        (_document(A={"$ref": "#/components/schemas/A"}), "cycle"),
        (
            _document(A={"type": "object", "properties": {"x": {"$ref": "#/nowhere"}}}),
            "points to nothing",
        ),
        (_document(A={"$ref": "other.yaml#/A"}), "only local"),
        (_document(A={"$ref": "#/components/schemas/Missing"}), "points to nothing"),
        (_document(A={"type": "strnig"}), "unknown type 'strnig'"),
        ({"paths": {"/x": {"get": {"responses": {}}}}}, "needs an operationId"),
        ({"info": {}}, "not an OpenAPI document"),
    ],
)
def test_bad_documents_are_a_spec_error_naming_the_problem(document: Any, said: str) -> None:
    with pytest.raises(SpecError, match=said):
        build_spec(document)


def test_an_inline_ref_cycle_is_a_spec_error() -> None:
    document = _document(A={"type": "object", "properties": {"x": {"$ref": "#/loop"}}})
    document["loop"] = {"type": "array", "items": {"$ref": "#/loop"}}
    with pytest.raises(SpecError, match="cycle"):
        build_spec(document)


def test_a_recursive_component_schema_is_a_reference_not_a_loop() -> None:
    node = {
        "type": "object",
        "properties": {
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
        },
    }
    spec = build_spec(_document(Node=node))
    tree = spec.schema("Node")
    assert isinstance(tree, ObjectSchema)
    assert tree.properties["children"] == ArraySchema(RefSchema("Node"))


def test_build_parameter_reads_one_parameter_object() -> None:
    param = build_parameter(
        {"name": "page-size", "in": "query", "schema": {"type": "integer", "minimum": 1}}
    )
    assert param == Parameter("page-size", "page_size", "integer", minimum=1)
    assert build_parameter({"name": "id", "in": "path", "schema": {"type": "string"}}).required


def test_a_spec_error_names_the_file(tmp_path: Path) -> None:
    document = copy.deepcopy(DOCUMENT)
    document["components"]["schemas"]["ThreadResource"] = {
        "$ref": "#/components/schemas/ThreadResource"
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(SpecError, match=f"{path}.*cycle"):
        load_spec(path)
    with pytest.raises(SpecError, match="cannot read"):
        load_spec(tmp_path / "missing.yaml")


def test_model_objects_are_frozen_records() -> None:
    param = Parameter("limit", "limit", "integer", minimum=0)
    assert param == Parameter(name="limit", python_name="limit", kind="integer", minimum=0)
    assert param != Parameter("limit", "limit", "integer")
    assert hash(param) == hash(Parameter("limit", "limit", "integer", minimum=0))
    assert repr(param).startswith("Parameter(name='limit', python_name='limit', kind='integer'")
    with pytest.raises(AttributeError, match="frozen"):
        param.minimum = 1  # type: ignore[misc]
    assert copy.deepcopy(param) == param and copy.copy(param) == param
    with pytest.raises(TypeError, match="missing argument 'kind'"):
        Parameter("limit", "limit")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected argument 'minimun'"):
        Parameter("limit", "limit", "integer", minimun=0)  # type: ignore[call-arg]
    op = load_spec().operation("listThreads")
    assert copy.deepcopy(op) == op and op.query is op.query  # cached per object
