from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.response_output_text import ResponseOutputText


T = TypeVar("T", bound="AssistantMessageItem")


@_attrs_define
class AssistantMessageItem:
    """Assistant-authored message within a thread."""

    id: str
    """ Identifier of the thread item. """
    object_: Literal["chatkit.thread_item"]
    """ Type discriminator that is always `chatkit.thread_item`. """
    created_at: int
    """ Unix timestamp (in seconds) for when the item was created. """
    thread_id: str
    """ Identifier of the parent thread. """
    type_: Literal["chatkit.assistant_message"]
    """ Type discriminator that is always `chatkit.assistant_message`. """
    content: list[ResponseOutputText]
    """ Ordered assistant response segments. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_

        created_at = self.created_at

        thread_id = self.thread_id

        type_ = self.type_

        content = []
        for content_item_data in self.content:
            content_item = content_item_data.to_dict()
            content.append(content_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "created_at": created_at,
                "thread_id": thread_id,
                "type": type_,
                "content": content,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.response_output_text import ResponseOutputText

        d = dict(src_dict)
        id = d.pop("id")

        object_ = cast(Literal["chatkit.thread_item"], d.pop("object"))
        if object_ != "chatkit.thread_item":
            raise ValueError(
                f"object must match const 'chatkit.thread_item', got '{object_}'"
            )

        created_at = d.pop("created_at")

        thread_id = d.pop("thread_id")

        type_ = cast(Literal["chatkit.assistant_message"], d.pop("type"))
        if type_ != "chatkit.assistant_message":
            raise ValueError(
                f"type must match const 'chatkit.assistant_message', got '{type_}'"
            )

        content = []
        _content = d.pop("content")
        for content_item_data in _content:
            content_item = ResponseOutputText.from_dict(content_item_data)

            content.append(content_item)

        assistant_message_item = cls(
            id=id,
            object_=object_,
            created_at=created_at,
            thread_id=thread_id,
            type_=type_,
            content=content,
        )

        assistant_message_item.additional_properties = d
        return assistant_message_item

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
