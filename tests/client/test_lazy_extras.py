"""Models built from JSON make `additional_properties` only when it is used.

The builder skips attrs' __init__ (and the empty dict it made for every object); these
tests pin that the models still behave exactly as attrs-built ones.
"""

from __future__ import annotations

import copy
from typing import Any

from chatkit_threads import ActiveStatus, TaskItem
from chatkit_threads.types import ThreadItemListResource, ThreadResource

THREAD: dict[str, Any] = {
    "id": "cthr_1",
    "object": "chatkit.thread",
    "created_at": 1,
    "title": "t",
    "status": {"type": "active"},
    "user": "u",
}


def test_a_built_model_has_no_extras_until_used_then_keeps_what_is_written() -> None:
    thread = ThreadResource.from_dict(THREAD)
    assert thread.additional_properties == {}
    thread["note"] = "kept"  # the generated __setitem__ writes to additional_properties
    assert thread.additional_properties == {"note": "kept"}
    assert thread.to_dict() == {**THREAD, "note": "kept"}


def test_unknown_keys_are_kept_on_the_model_and_its_nested_models() -> None:
    data = {**THREAD, "extra": [1], "status": {"type": "active", "since": 5}}
    thread = ThreadResource.from_dict(data)
    assert thread.additional_properties == {"extra": [1]}
    assert isinstance(thread.status, ActiveStatus)
    assert thread.status.additional_properties == {"since": 5}
    assert thread.to_dict() == data


def test_built_models_equal_and_copy_like_attrs_built_ones() -> None:
    built = ThreadResource.from_dict(THREAD)
    made = ThreadResource(**{a: getattr(built, a) for a in ThreadResource._spec.attr_names})
    assert built == made
    assert repr(built) == repr(made)
    clone = copy.copy(built)
    assert clone == built
    assert clone.to_dict() == THREAD


def test_a_page_of_items_round_trips() -> None:
    page = {
        "object": "list",
        "data": [
            {
                "id": "cthi_1",
                "object": "chatkit.thread_item",
                "created_at": 1,
                "thread_id": "cthr_1",
                "type": "chatkit.task",
                "task_type": "thought",
                "heading": None,
                "summary": None,
            }
        ],
        "first_id": "cthi_1",
        "last_id": "cthi_1",
        "has_more": False,
    }
    built = ThreadItemListResource.from_dict(page)
    assert built.to_dict() == page
    assert isinstance(built.data[0], TaskItem)
    assert built.data[0].additional_properties == {}
