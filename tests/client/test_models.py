"""Parsing: lenient and forward-compatible by default, strict on request, exact round trip."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from chatkit_threads import (
    UNSET,
    ActiveStatus,
    AssistantMessageItem,
    ClientToolCallItem,
    ClosedStatus,
    DeletedThreadResource,
    FileAnnotation,
    InputTextContent,
    LockedStatus,
    QuotedTextContent,
    ResponseOutputText,
    ResponseValidationError,
    TaskGroupItem,
    TaskItem,
    ThreadItemListResource,
    ThreadListResource,
    ThreadResource,
    UnknownAnnotation,
    UnknownContent,
    UnknownThreadItem,
    UnknownThreadStatus,
    UrlAnnotation,
    UserMessageItem,
    WidgetItem,
)
from chatkit_threads_api import models as generated
from chatkit_threads_api.client_models import UNIONS
from tests.client.support import (
    json_response,
    load_spec,
    make_client,
    page,
    reference_examples,
    spec_example,
    thread,
)

ITEMS_PATH = "/chatkit/threads/{thread_id}/items"
EVERY_ITEM = spec_example(ITEMS_PATH, "get", "every_item_type")
UNPREFIXED = next(e for e in reference_examples() if e["name"] == "list_items_unprefixed_example")
COMPONENTS: dict[str, Any] = {
    "ThreadResource": ThreadResource,
    "ThreadListResource": ThreadListResource,
    "ThreadItemListResource": ThreadItemListResource,
}


def all_spec_examples() -> list[tuple[str, type[Any], dict[str, Any]]]:
    """Every 200 example in the spec, with the model it parses into."""
    models = {
        ("/chatkit/threads", "get"): ThreadListResource,
        ("/chatkit/threads/{thread_id}", "get"): ThreadResource,
        ("/chatkit/threads/{thread_id}", "delete"): DeletedThreadResource,
        (ITEMS_PATH, "get"): ThreadItemListResource,
    }
    out = []
    for (path, method), model in models.items():
        content = load_spec()["paths"][path][method]["responses"]["200"]["content"]
        for name, example in content["application/json"]["examples"].items():
            out.append((f"{method} {path} {name}", model, example["value"]))
    return out


@pytest.mark.parametrize(("name", "model", "body"), all_spec_examples(), ids=lambda v: str(v)[:40])
def test_every_spec_example_parses_strictly_and_round_trips(
    name: str, model: Any, body: dict[str, Any]
) -> None:
    original = copy.deepcopy(body)
    parsed = model.from_dict(body, strict=True)
    assert parsed.to_dict() == original
    assert body == original  # parsing never mutates its input


def test_every_item_type_maps_to_its_class_which_is_the_generated_class() -> None:
    parsed = ThreadItemListResource.from_dict(EVERY_ITEM, strict=True)
    classes = [type(item) for item in parsed.data]
    assert classes == [
        UserMessageItem,
        AssistantMessageItem,
        WidgetItem,
        ClientToolCallItem,
        TaskItem,
        TaskGroupItem,
    ]
    user, assistant = parsed.data[0], parsed.data[1]
    assert isinstance(user, generated.UserMessageItem)
    assert isinstance(user, UserMessageItem)
    assert [type(c) for c in user.content] == [InputTextContent, QuotedTextContent]
    assert user.attachments[0].name == "screenshot.png"
    assert isinstance(assistant, AssistantMessageItem)
    text = assistant.content[0]
    assert isinstance(text, ResponseOutputText)
    assert [type(a) for a in text.annotations] == [FileAnnotation, UrlAnnotation]


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        ({"type": "active"}, ActiveStatus),
        ({"type": "locked", "reason": "spam"}, LockedStatus),
        ({"type": "closed", "reason": None}, ClosedStatus),
    ],
)
def test_thread_status_variants(status: dict[str, Any], cls: type[Any]) -> None:
    parsed = ThreadResource.from_dict(thread("t", status=status), strict=True)
    assert type(parsed.status) is cls
    assert parsed.to_dict()["status"] == status


def test_unprefixed_item_types_parse_leniently_into_their_known_class_and_round_trip() -> None:
    body = UNPREFIXED["example"]
    parsed = ThreadItemListResource.from_dict(body)
    user, assistant = parsed.data
    assert isinstance(user, UserMessageItem)
    assert user.type_ == "chatkit.user_message"
    missing: Any = user.created_at  # typed int: UNSET only in lenient parses
    assert missing is UNSET  # missing from the payload
    assert isinstance(assistant, AssistantMessageItem)
    text = assistant.content[0]
    assert isinstance(text, ResponseOutputText) and text.text.startswith("Let's start")
    missing = parsed.first_id
    assert missing is UNSET
    assert parsed.to_dict() == body  # including "user_message" and the missing fields


def test_unprefixed_example_fails_strictly_naming_every_json_path() -> None:
    with pytest.raises(ResponseValidationError) as info:
        ThreadItemListResource.from_dict(UNPREFIXED["example"], strict=True)
    assert info.value.paths == [
        "$.data[0].type",
        "$.data[0].created_at",
        "$.data[0].thread_id",
        "$.data[0].inference_options",
        "$.data[1].type",
        "$.data[1].created_at",
        "$.data[1].thread_id",
        "$.data[1].content[0].annotations",
        "$.first_id",
        "$.last_id",
    ]
    assert "'user_message'" in str(info.value) and "chatkit.user_message" in str(info.value)


@pytest.mark.parametrize("example", reference_examples(), ids=lambda e: e["name"])
def test_reference_page_examples_lenient_round_trip_strict_as_recorded(
    example: dict[str, Any],
) -> None:
    model = COMPONENTS[example["component"]]
    body = example["example"]
    assert model.from_dict(body).to_dict() == body
    if example["conforms"]:
        model.from_dict(body, strict=True)
    else:
        with pytest.raises(ResponseValidationError) as info:
            model.from_dict(body, strict=True)
        assert info.value.paths


def future_item() -> dict[str, Any]:
    return {
        "id": "cthi_9",
        "object": "chatkit.thread_item",
        "created_at": 9,
        "thread_id": "cthr_1",
        "type": "chatkit.future_item",
        "payload": {"x": [1, 2]},
    }


def test_unknown_item_type_becomes_unknown_model_keeping_raw_json() -> None:
    body = page([*EVERY_ITEM["data"], future_item()], False)
    parsed = ThreadItemListResource.from_dict(body)
    unknown = parsed.data[-1]
    assert isinstance(unknown, UnknownThreadItem)
    assert unknown.type_ == "chatkit.future_item"
    assert (unknown.id, unknown.created_at, unknown.thread_id) == ("cthi_9", 9, "cthr_1")
    assert unknown.raw == future_item()
    assert parsed.to_dict() == body


def test_unknown_item_type_fails_strictly_with_its_path() -> None:
    body = page([EVERY_ITEM["data"][0], future_item()], False)
    with pytest.raises(ResponseValidationError) as info:
        ThreadItemListResource.from_dict(body, strict=True)
    assert info.value.paths == ["$.data[1].type"]
    assert "chatkit.future_item" in str(info.value)


def test_unknown_status_content_and_annotation_types() -> None:
    t = ThreadResource.from_dict(thread("t", status={"type": "archived", "until": 5}))
    assert isinstance(t.status, UnknownThreadStatus)
    assert t.status.raw == {"type": "archived", "until": 5}
    user = copy.deepcopy(EVERY_ITEM["data"][0])
    user["content"].append({"type": "input_image", "url": "https://x"})
    assistant = copy.deepcopy(EVERY_ITEM["data"][1])
    assistant["content"][0]["annotations"].append({"type": "citation", "n": 1})
    assistant["content"].append({"type": "refusal", "text": "no"})
    body = page([user, assistant], False)
    parsed = ThreadItemListResource.from_dict(body)
    parsed_user, parsed_assistant = parsed.data
    assert isinstance(parsed_user, UserMessageItem)
    assert isinstance(parsed_user.content[-1], UnknownContent)
    assert isinstance(parsed_assistant, AssistantMessageItem)
    output = parsed_assistant.content[0]
    assert isinstance(output, ResponseOutputText)
    assert isinstance(output.annotations[-1], UnknownAnnotation)
    assert isinstance(parsed_assistant.content[-1], UnknownContent)
    assert parsed.to_dict() == body
    assert t.to_dict() == thread("t", status={"type": "archived", "until": 5})
    with pytest.raises(ResponseValidationError) as info:
        ThreadItemListResource.from_dict(body, strict=True)
    assert info.value.paths == [
        "$.data[0].content[2].type",
        "$.data[1].content[0].annotations[2].type",
        "$.data[1].content[1].type",
    ]
    with pytest.raises(ResponseValidationError) as status_info:
        ThreadResource.from_dict(thread("t", status={"type": "archived"}), strict=True)
    assert status_info.value.paths == ["$.status.type"]


def test_unknown_fields_are_kept_at_every_level_and_allowed_in_strict_mode() -> None:
    body = thread("t", status={"type": "locked", "reason": None, "by": "admin"}, color="blue")
    parsed = ThreadResource.from_dict(body, strict=True)
    assert parsed.additional_properties == {"color": "blue"}
    assert parsed["color"] == "blue"
    assert parsed.status.additional_properties == {"by": "admin"}  # type: ignore[union-attr]
    assert parsed.to_dict() == body


def test_missing_and_malformed_fields_do_not_crash_a_listing() -> None:
    items = [
        {"id": "a", "type": "chatkit.widget"},  # most fields missing
        {"id": "b", "type": "chatkit.user_message", "content": "not a list", "attachments": [3]},
        {"id": "c", "type": "chatkit.task_group", "tasks": None, "created_at": "yesterday"},
        "not even an object",
    ]
    body = {"object": "list", "data": items, "has_more": False}
    client, _ = make_client(lambda r: json_response(200, body))
    listed = list(client.threads.list_items("cthr_1"))
    assert [type(i) for i in listed[:3]] == [WidgetItem, UserMessageItem, TaskGroupItem]
    assert listed[3] == "not even an object"  # type: ignore[comparison-overlap]
    assert client.threads.list_items("cthr_1").to_dict() == body
    strict, _ = make_client(lambda r: json_response(200, body), strict=True)
    with pytest.raises(ResponseValidationError) as info:
        strict.threads.list_items("cthr_1")
    assert "$.data[1].content" in info.value.paths
    assert "$.data[1].attachments[0]" in info.value.paths
    assert "$.data[2].created_at" in info.value.paths
    assert "$.data[3]" in info.value.paths
    assert "$.first_id" in info.value.paths


def test_strict_scalar_checks_name_the_path() -> None:
    body = thread("t", created_at=True, title=5, user=None)
    body["object"] = "chatkit.thread.v2"
    with pytest.raises(ResponseValidationError) as info:
        ThreadResource.from_dict(body, strict=True)
    assert info.value.errors == [
        ("$.object", "expected 'chatkit.thread', got 'chatkit.thread.v2'"),
        ("$.created_at", "expected integer, got boolean"),
        ("$.title", "expected string, got integer"),
        ("$.user", "null is not allowed"),
    ]
    item = copy.deepcopy(EVERY_ITEM["data"][3])
    item["status"] = "failed"  # the generator's trap: reported as the wrong variant
    with pytest.raises(ResponseValidationError) as item_info:
        ClientToolCallItem.from_dict(item, strict=True)
    assert item_info.value.paths == ["$.status"]


def test_a_whole_float_is_an_integer_in_json_schema() -> None:
    assert ThreadResource.from_dict(thread("t", created_at=5.0), strict=True).created_at == 5.0
    with pytest.raises(ResponseValidationError, match=r"\(1 error\): \$\.created_at"):
        ThreadResource.from_dict(thread("t", created_at=5.5), strict=True)


def test_to_dict_returns_fresh_json_that_does_not_alias_the_model() -> None:
    body = page([future_item()], False, meta={"nested": [1]})
    parsed = ThreadItemListResource.from_dict(body)
    dumped = parsed.to_dict()
    dumped["meta"]["nested"].append(2)
    dumped["data"][0]["payload"]["x"].append(3)
    assert parsed.to_dict() == body


def test_models_constructed_in_python_serialise_like_the_generated_ones() -> None:
    status = ActiveStatus(type_="active")
    made = ThreadResource(
        id="t", object_="chatkit.thread", created_at=1, title=None, status=status, user="u"
    )
    assert made.to_dict() == thread("t", created_at=1, title=None, user="u")
    assert WidgetItem("w", "chatkit.thread_item", 1, "t", "chatkit.widget", "{}").to_dict()[
        "type"
    ] == ("chatkit.widget")


def _spec_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = load_spec()["components"]["schemas"][name]
    return schema


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _spec_schema(schema["$ref"].rsplit("/", 1)[-1])
    return schema


def _object_schemas() -> list[str]:
    schemas = load_spec()["components"]["schemas"]
    return [name for name, schema in schemas.items() if "properties" in schema]


@pytest.mark.parametrize("name", _object_schemas())
def test_the_field_tables_agree_with_the_spec(name: str) -> None:
    import chatkit_threads

    spec = getattr(chatkit_threads, name)._spec
    schema = _spec_schema(name)
    assert set(spec.fields) == set(schema["properties"])
    for key, field in spec.fields.items():
        assert field.required == (key in schema.get("required", [])), key
        prop = schema["properties"][key]
        types = prop.get("type")
        nullable = (isinstance(types, list) and "null" in types) or any(
            alt.get("type") == "null" for alt in prop.get("oneOf", [])
        )
        assert field.nullable == nullable, key
        resolved = _resolve(prop)
        assert field.const == resolved.get("const"), key
        assert set(field.enum or ()) == set(resolved.get("enum", ())), key
        assert field.array == (resolved.get("type") == "array"), key


def test_item_union_mapping_agrees_with_the_spec_discriminator() -> None:
    mapping = _spec_schema("ThreadItem")["discriminator"]["mapping"]
    assert {k: v.name for k, v in UNIONS["ThreadItem"].mapping.items()} == {
        k: ref.rsplit("/", 1)[-1] for k, ref in mapping.items()
    }
