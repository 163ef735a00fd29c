from __future__ import annotations

from typing import Any, Literal

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_type import TaskType


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
