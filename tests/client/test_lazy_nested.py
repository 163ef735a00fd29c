"""Nested models are built when their field is first read, not when the page is parsed.

A model built from JSON keeps a nested object or array as the JSON it came as until the
field is read. These tests pin that this is invisible: a read gives the same models as
eager building would (and the same object on every later read), equality, repr, copies,
pickling and `to_dict` are unchanged, and values set by the caller are kept.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

from chatkit_threads import (
    ActiveStatus,
    AssistantMessageItem,
    FileAnnotation,
    InputTextContent,
    ResponseOutputText,
    UserMessageItem,
)
from chatkit_threads.types import ThreadItemListResource, ThreadResource, UnknownContent

USER_MESSAGE: dict[str, Any] = {
    "id": "cthi_1",
    "object": "chatkit.thread_item",
    "created_at": 1,
    "thread_id": "cthr_1",
    "type": "chatkit.user_message",
    "content": [{"type": "input_text", "text": "hi"}, {"type": "quoted_text", "text": "q"}],
    "attachments": [
        {"id": "a", "mime_type": "image/png", "name": "a.png", "preview_url": None, "type": "image"}
    ],
    "inference_options": {"model": "gpt", "tool_choice": {"id": "tool"}},
}
ASSISTANT_MESSAGE: dict[str, Any] = {
    "id": "cthi_2",
    "object": "chatkit.thread_item",
    "created_at": 2,
    "thread_id": "cthr_1",
    "type": "chatkit.assistant_message",
    "content": [
        {
            "type": "output_text",
            "text": "see",
            "annotations": [{"type": "file", "source": {"type": "file", "filename": "f.txt"}}],
        }
    ],
}
PAGE: dict[str, Any] = {
    "object": "list",
    "data": [USER_MESSAGE, ASSISTANT_MESSAGE],
    "first_id": "cthi_1",
    "last_id": "cthi_2",
    "has_more": False,
}


def _slot_value(model: Any, attr: str) -> Any:
    """What the slot holds, without going through the field's property."""
    for klass in type(model).__mro__:
        slot = vars(klass).get(attr)
        if slot is not None and type(slot).__name__ == "member_descriptor":
            return slot.__get__(model)
    raise AssertionError(f"no slot {attr}")


def test_a_nested_field_is_json_until_read_then_built_once() -> None:
    item = UserMessageItem.from_dict(USER_MESSAGE)
    assert _slot_value(item, "content") == USER_MESSAGE["content"]
    content = item.content
    assert [type(c).__name__ for c in content] == ["InputTextContent", "QuotedTextContent"]
    assert item.content is content
    assert item.inference_options is item.inference_options
    assert item.inference_options.tool_choice.id == "tool"  # type: ignore[union-attr]
    assert item.attachments[0].name == "a.png"


def test_deep_nesting_is_built_level_by_level() -> None:
    page = ThreadItemListResource.from_dict(PAGE)
    message = page.data[1]
    assert isinstance(message, AssistantMessageItem)
    text = message.content[0]
    assert isinstance(text, ResponseOutputText)
    annotation = text.annotations[0]
    assert isinstance(annotation, FileAnnotation)
    assert annotation.source.filename == "f.txt"


def test_lazy_models_equal_print_copy_and_pickle_like_eager_ones() -> None:
    lazy = ThreadItemListResource.from_dict(PAGE)
    read = ThreadItemListResource.from_dict(PAGE)
    item: Any
    for item in read.data:
        for attr in type(item)._spec.attr_names:
            getattr(item, attr)
    assert lazy == read
    assert repr(lazy) == repr(read)
    assert copy.deepcopy(lazy) == read
    assert pickle.loads(pickle.dumps(ThreadItemListResource.from_dict(PAGE))) == read
    assert ThreadItemListResource.from_dict(PAGE).to_dict() == PAGE
    assert read.to_dict() == PAGE


def test_building_does_not_change_the_json_it_came_from() -> None:
    data = copy.deepcopy(PAGE)
    page = ThreadItemListResource.from_dict(data)
    assert page.to_dict() == PAGE
    assert data == PAGE


def test_values_the_caller_sets_are_kept() -> None:
    item = UserMessageItem.from_dict(USER_MESSAGE)
    mine = [InputTextContent.from_dict({"type": "input_text", "text": "mine"})]
    item.content = mine  # type: ignore[assignment]
    assert item.content is mine
    item.inference_options = None
    assert item.inference_options is None
    # JSON set by the caller is built like JSON from the server.
    item.content = [{"type": "input_text", "text": "json"}]  # type: ignore[list-item]
    assert item.content == [InputTextContent.from_dict({"type": "input_text", "text": "json"})]


def test_drifting_nested_values_are_kept_as_they_came() -> None:
    data = {**USER_MESSAGE, "content": ["plain", {"type": "new_kind", "x": 1}], "attachments": 7}
    item: Any = UserMessageItem.from_dict(data)
    assert item.content[0] == "plain"
    assert isinstance(item.content[1], UnknownContent)
    assert item.attachments == 7
    assert item.to_dict() == data


def test_a_thread_status_is_built_on_read() -> None:
    thread = ThreadResource.from_dict(
        {
            "id": "cthr_1",
            "object": "chatkit.thread",
            "created_at": 1,
            "title": None,
            "status": {"type": "active"},
            "user": "u",
        }
    )
    assert _slot_value(thread, "status") == {"type": "active"}
    assert isinstance(thread.status, ActiveStatus)
    assert thread.status is thread.status
