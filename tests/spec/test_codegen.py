"""scripts/codegen.py (the facts the templates read) and the breaking-change check of
scripts/generate: what each kind of spec change produces."""

from __future__ import annotations

import copy
import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from .conftest import ROOT

SPEC = yaml.safe_load((ROOT / "openapi" / "chatkit-threads.yaml").read_text())


def _load(name: str, path: str) -> ModuleType:
    loader = importlib.machinery.SourceFileLoader(name, str(ROOT / path))
    spec = importlib.util.spec_from_loader(name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


codegen = _load("codegen", "scripts/codegen.py")
generate = _load("chatkit_generate_script", "scripts/generate")
generator = generate._scripts()[1]


def _changed(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    spec: dict[str, Any] = copy.deepcopy(SPEC)
    change(spec)
    return spec


def _schemas(spec: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = spec["components"]["schemas"]
    return schemas


def _op(spec: dict[str, Any], path: str) -> dict[str, Any]:
    operation: dict[str, Any] = spec["paths"][path]["get"]
    return operation


def _drop_widget(spec: dict[str, Any]) -> None:
    del _schemas(spec)["WidgetItem"]
    union = _schemas(spec)["ThreadItem"]
    union["oneOf"] = [v for v in union["oneOf"] if not v["$ref"].endswith("/WidgetItem")]
    del union["discriminator"]["mapping"]["chatkit.widget"]


def _drop_user_parameter(spec: dict[str, Any]) -> None:
    parameters = _op(spec, "/chatkit/threads")["parameters"]
    parameters[:] = [p for p in parameters if p.get("name") != "user"]


def _nullable_user(spec: dict[str, Any]) -> None:
    _schemas(spec)["ThreadResource"]["properties"]["user"]["type"] = ["string", "null"]


BREAKING: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (_drop_widget, "schema WidgetItem was removed"),
    (_drop_widget, "ThreadItem: variant 'chatkit.widget' was removed"),
    (
        lambda s: _schemas(s)["TaskType"]["enum"].remove("thought"),
        "TaskType: enum value 'thought' was removed",
    ),
    (
        lambda s: _schemas(s)["ThreadResource"]["properties"].update(status={"type": "string"}),
        "ThreadResource.status changed type (ThreadStatus -> string)",
    ),
    (
        lambda s: _schemas(s)["Attachment"]["required"].remove("name"),
        "Attachment.name became optional",
    ),
    (
        lambda s: _schemas(s)["ThreadResource"]["properties"].update(
            user={"type": ["string", "null"]}
        ),
        "ThreadResource.user became nullable",
    ),
    (
        _drop_user_parameter,
        "operation listThreads: query parameter user was removed",
    ),
    (
        lambda s: _op(s, "/chatkit/threads")["parameters"].append(
            {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}
        ),
        "operation listThreads: query parameter q is new and required",
    ),
    (
        lambda s: s["paths"].pop("/chatkit/threads/{thread_id}/items"),
        "operation listThreadItems was removed",
    ),
]


@pytest.mark.parametrize(("change", "message"), BREAKING)
def test_each_kind_of_breaking_change_is_named(
    change: Callable[[dict[str, Any]], None], message: str
) -> None:
    problems = generate.breaking_changes(SPEC, _changed(change))
    assert message in problems


def test_additive_changes_are_not_breaking() -> None:
    def additive(spec: dict[str, Any]) -> None:
        _schemas(spec)["ThreadResource"]["properties"]["pinned"] = {"type": "boolean"}
        _schemas(spec)["TaskType"]["enum"].append("plan")
        _op(spec, "/chatkit/threads")["parameters"].append(
            {"name": "q", "in": "query", "schema": {"type": "string"}}
        )
        _schemas(spec)["LockedStatus"]["properties"]["reason"]["maxLength"] = 10

    assert generate.breaking_changes(SPEC, _changed(additive)) == []
    assert generate.breaking_changes(SPEC, SPEC) == []


UNSUPPORTED: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (
        lambda s: _schemas(s)["ThreadStatus"].pop("discriminator"),
        "schema ThreadStatus: a oneOf needs a discriminator",
    ),
    (
        lambda s: _op(s, "/chatkit/threads").pop("x-python-method"),
        "needs an operationId and an x-python-method",
    ),
    (
        lambda s: _schemas(s)["ThreadItem"]["discriminator"]["mapping"].pop("chatkit.widget"),
        "schema ThreadItem: every oneOf entry must be a $ref listed once",
    ),
    (
        lambda s: _schemas(s)["ThreadResource"]["properties"].update(
            title={"oneOf": [{"type": "string"}, {"type": "integer"}]}
        ),
        "schema ThreadResource, property title: an inline oneOf/anyOf",
    ),
]


@pytest.mark.parametrize(("change", "message"), UNSUPPORTED)
def test_an_unsupported_construct_is_a_codegen_error_naming_it(
    change: Callable[[dict[str, Any]], None], message: str
) -> None:
    with pytest.raises(codegen.CodegenError) as info:
        generator.Facts(_changed(change))
    assert message in str(info.value)


def test_the_templates_render_a_class_or_alias_for_every_schema(tmp_path: Path) -> None:
    package = generate.generate_into(tmp_path)
    models = (package / "client_models.py").read_text()
    data_classes = "".join(p.read_text() for p in (package / "models").glob("*.py"))
    for name, schema in _schemas(SPEC).items():
        if "properties" in schema:
            assert f"class {name}(Model, _gen.{name}):" in models
            assert f"class {name}:" in data_classes
        if "oneOf" in schema:
            assert f"{name}: TypeAlias = " in models
    # Only the modules something uses: no generated api/, client.py or errors.py.
    assert sorted(p.name for p in package.iterdir() if p.suffix == ".py") == [
        "__init__.py",
        "client_models.py",
        "client_resources.py",
        "spec_constants.py",
        "spec_schemas.py",
        "types.py",
    ]
