from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_type import TaskType, check_task_type

T = TypeVar("T", bound="TaskItem")


@_attrs_define
class TaskItem:
    """Task emitted by the workflow to show progress and status updates."""

    id: str
    """ Identifier of the thread item. """
    object_: Literal["chatkit.thread_item"]
    """ Type discriminator that is always `chatkit.thread_item`. """
    created_at: int
    """ Unix timestamp (in seconds) for when the item was created. """
    thread_id: str
    """ Identifier of the parent thread. """
    type_: Literal["chatkit.task"]
    """ Type discriminator that is always `chatkit.task`. """
    task_type: TaskType
    """ Subtype for a task. """
    heading: None | str
    """ Optional heading for the task. Null when not provided. """
    summary: None | str
    """ Optional summary that describes the task. Null when omitted. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_

        created_at = self.created_at

        thread_id = self.thread_id

        type_ = self.type_

        task_type: str = self.task_type

        heading: None | str
        heading = self.heading

        summary: None | str
        summary = self.summary

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "created_at": created_at,
                "thread_id": thread_id,
                "type": type_,
                "task_type": task_type,
                "heading": heading,
                "summary": summary,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        object_ = cast(Literal["chatkit.thread_item"], d.pop("object"))
        if object_ != "chatkit.thread_item":
            raise ValueError(
                f"object must match const 'chatkit.thread_item', got '{object_}'"
            )

        created_at = d.pop("created_at")

        thread_id = d.pop("thread_id")

        type_ = cast(Literal["chatkit.task"], d.pop("type"))
        if type_ != "chatkit.task":
            raise ValueError(f"type must match const 'chatkit.task', got '{type_}'")

        task_type = check_task_type(d.pop("task_type"))

        def _parse_heading(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        heading = _parse_heading(d.pop("heading"))

        def _parse_summary(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        summary = _parse_summary(d.pop("summary"))

        task_item = cls(
            id=id,
            object_=object_,
            created_at=created_at,
            thread_id=thread_id,
            type_=type_,
            task_type=task_type,
            heading=heading,
            summary=summary,
        )

        task_item.additional_properties = d
        return task_item

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
