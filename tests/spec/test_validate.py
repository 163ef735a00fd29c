"""chatkit_threads_spec.validate: the one response-body validator."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from chatkit_threads import ResponseValidationError
from chatkit_threads.types import ThreadItemListResource, ThreadResource
from chatkit_threads_spec import (
    ArraySchema,
    ObjectSchema,
    ScalarSchema,
    UnionSchema,
    load_spec,
)
from chatkit_threads_spec.validate import Problem, json_type_name, problems

SPEC = load_spec()
THREAD: dict[str, Any] = {
    "id": "cthr_1",
    "object": "chatkit.thread",
    "created_at": 1,
    "title": None,
    "status": {"type": "active"},
    "user": "u",
}
ITEM: dict[str, Any] = {
    "id": "cthi_1",
    "object": "chatkit.thread_item",
    "created_at": 1,
    "thread_id": "cthr_1",
    "type": "chatkit.widget",
    "widget": "{}",
}


def _page(*data: Any) -> dict[str, Any]:
    return {
        "object": "list",
        "data": list(data),
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(base)
    for key, value in changes.items():
        if value is ...:
            del changed[key]
        else:
            changed[key] = value
    return changed


def test_conforming_bodies_have_no_problems() -> None:
    assert problems("ThreadResource", THREAD, spec=SPEC) == []
    assert problems("ThreadItemListResource", _page(ITEM), spec=SPEC) == []
    assert problems("ThreadResource", THREAD) == []  # the project's spec by default
    # Unknown properties are additions, not departures.
    assert problems("ThreadResource", _with(THREAD, pinned=True), spec=SPEC) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (_with(THREAD, created_at=True), [("$.created_at", "expected integer, got boolean")]),
        (_with(THREAD, created_at=1.0), []),
        (_with(THREAD, created_at="1"), [("$.created_at", "expected integer, got string")]),
        (_with(THREAD, user=None), [("$.user", "null is not allowed")]),
        (_with(THREAD, object="thread"), [("$.object", "expected 'chatkit.thread', got 'thread'")]),
        (_with(THREAD, id=...), [("$.id", "required field is missing")]),
        (_with(THREAD, status=None), [("$.status", "null is not allowed")]),
        (_with(THREAD, status=[]), [("$.status", "expected object, got array")]),
        (
            _with(THREAD, status={"type": "archived"}),
            [
                (
                    "$.status.type",
                    "unknown thread status type 'archived'; expected one of active, locked, closed",
                )
            ],
        ),
        (
            _with(THREAD, status={"reason": None}),
            [("$.status.type", "required field is missing (thread status variant)")],
        ),
        (
            _with(THREAD, status={"type": "locked"}),
            [("$.status.reason", "required field is missing")],
        ),
        (
            _with(THREAD, status={"type": ["x"]}),
            [
                (
                    "$.status.type",
                    "unknown thread status type ['x']; expected one of active, locked, closed",
                )
            ],
        ),
        (None, [("$", "expected object, got null")]),
        ([], [("$", "expected object, got array")]),
    ],
)
def test_departures_name_path_and_problem(body: Any, expected: list[tuple[str, str]]) -> None:
    assert problems("ThreadResource", body, spec=SPEC) == expected


def test_a_drifting_discriminator_is_named_with_the_variants_other_departures() -> None:
    unprefixed = _with(ITEM, type="widget", widget=...)
    found = problems("ThreadItemListResource", _page(unprefixed, ITEM, 5), spec=SPEC)
    assert found == [
        Problem(
            "$.data[0].type",
            "'widget' is not a spec thread item type; the spec spells it 'chatkit.widget'",
        ),
        Problem("$.data[0].widget", "required field is missing"),
        Problem("$.data[2]", "expected object, got integer"),
    ]


def test_enum_bounds_and_formats() -> None:
    item = _with(ITEM, type="chatkit.client_tool_call", widget=...)
    item.update(name="n", call_id="c", arguments="{}", output=None, status="paused")
    assert problems("ThreadItem", item, spec=SPEC) == [
        ("$.status", "expected one of in_progress, completed, got 'paused'")
    ]
    attachment = {
        "id": "a",
        "mime_type": "m",
        "name": "n",
        "preview_url": "not a uri",
        "type": "image",
    }
    assert problems("Attachment", attachment, spec=SPEC) == []
    assert problems("Attachment", attachment, spec=SPEC, check_formats=True) == [
        ("$.preview_url", "a URI expected, got 'not a uri'")
    ]
    attachment["preview_url"] = "https://example.com/a%20b?x=1#f"
    assert problems("Attachment", attachment, spec=SPEC, check_formats=True) == []
    bounded = ScalarSchema("string", min_length=2, max_length=3, pattern="^[a-z]+$")
    assert problems(bounded, "a", spec=SPEC) == [
        ("$", "a value of at least 2 characters expected, got 1")
    ]
    assert problems(bounded, "abcd", spec=SPEC) == [
        ("$", "a value of at most 3 characters expected, got 4")
    ]
    assert problems(bounded, "AB", spec=SPEC)[0].message.startswith("a value matching")
    number = ScalarSchema("number", minimum=0, maximum=1)
    assert problems(number, 2, spec=SPEC) == [("$", "a value <= 1 expected, got 2")]
    assert problems(number, -0.5, spec=SPEC) == [("$", "a value >= 0 expected, got -0.5")]


def test_schema_nodes_and_undiscriminated_unions() -> None:
    either = UnionSchema((ScalarSchema("string"), ArraySchema(ScalarSchema("integer"))))
    assert problems(either, "x", spec={}) == []
    assert problems(either, [1, 2], spec={}) == []
    assert problems(either, [1, "2"], spec={}) == [
        ("$", "matches none of the 2 schemas allowed here")
    ]
    free = ObjectSchema()
    assert problems(free, {"any": "thing"}, spec={}) == []
    assert problems(ArraySchema(free), None, spec={}, root="$.x") == [
        ("$.x", "expected array, got null")
    ]
    assert json_type_name(1.5) == "number" and json_type_name(object()) == "object"


BAD_BODIES: list[tuple[type[Any], str, Any]] = [
    (ThreadResource, "ThreadResource", _with(THREAD, created_at="x", status={"type": "gone"})),
    (ThreadResource, "ThreadResource", _with(THREAD, status={"type": "closed"}, user=...)),
    (
        ThreadItemListResource,
        "ThreadItemListResource",
        _page(_with(ITEM, type="widget"), _with(ITEM, id=None), "x", _with(ITEM, type=...)),
    ),
]


@pytest.mark.parametrize(("model", "name", "body"), BAD_BODIES)
def test_strict_mode_reports_the_validators_paths(model: Any, name: str, body: Any) -> None:
    # The same bad body gives the same paths and problems in the client's strict mode.
    expected = problems(name, body, spec=SPEC)
    assert expected
    with pytest.raises(ResponseValidationError) as caught:
        model.from_dict(body, strict=True)
    assert caught.value.errors == expected
    assert caught.value.paths == [p.path for p in expected]


def test_recursive_schemas_are_checked_to_any_depth() -> None:
    from chatkit_threads_spec import RefSchema, build_spec

    node = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
    }
    spec = build_spec({"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"Node": node}}})
    tree = {"name": "a", "children": [{"name": "b", "children": [{"children": []}]}]}
    assert problems("Node", tree, spec=spec) == [
        ("$.children[0].children[0].name", "required field is missing")
    ]
    nullable = RefSchema("Node", nullable=True)
    assert problems(nullable, None, spec=spec) == []
    assert problems(ObjectSchema({"n": nullable}), {"n": None}, spec=spec) == []
    assert problems("Node", None, spec=spec) == [("$", "expected object, got null")]


def test_a_discriminator_without_a_full_mapping_dispatches_on_the_variants_values() -> None:
    # As OpenAI's published document writes unions: an inline oneOf whose variants fix
    # `type` with a one-value enum, a discriminator with no mapping.
    from chatkit_threads_spec import build_spec

    def variant(kind: str) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"type": "string", "enum": [kind]}, "n": {"type": "integer"}},
        }

    holder = {
        "type": "object",
        "properties": {
            "object": {"type": "string", "enum": ["holder"]},
            "status": {
                "oneOf": [
                    {"$ref": "#/components/schemas/On"},
                    {"$ref": "#/components/schemas/Off"},
                ],
                "discriminator": {"propertyName": "type"},
                "nullable": True,
            },
        },
    }
    spec = build_spec(
        {
            "openapi": "3.1.0",
            "paths": {},
            "components": {
                "schemas": {"Holder": holder, "On": variant("on"), "Off": variant("off")}
            },
        }
    )
    assert problems("Holder", {"status": {"type": "off", "n": 1}}, spec=spec) == []
    assert problems("Holder", {"status": None}, spec=spec) == []  # OpenAPI 3.0's nullable
    assert problems("Holder", {"status": {"type": "on", "n": "1"}}, spec=spec) == [
        ("$.status.n", "expected integer, got string")
    ]
    assert problems("Holder", {"status": {"type": "dim"}}, spec=spec) == [
        ("$.status.type", "unknown union type 'dim'; expected one of on, off")
    ]
