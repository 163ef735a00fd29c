from __future__ import annotations

from typing import Any

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_type import TaskType


@_attrs_define
class TaskGroupTask:
    """A task inside a task group."""

    type_: TaskType
    """ Subtype for a task. """
    heading: None | str
    """ Optional heading for the grouped task. Null when not provided. """
    summary: None | str
    """ Optional summary that describes the grouped task. Null when omitted. """
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
