from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.thread_resource import ThreadResource


@_attrs_define
class ThreadListResource:
    """A page of ChatKit threads."""

    object_: Literal["list"]
    """ The type of object returned, always `list`. """
    data: list[ThreadResource]
    """ The threads on this page. """
    first_id: None | str
    """ The ID of the first thread on this page; null when the page is empty. """
    last_id: None | str
    """ The ID of the last thread on this page; null when the page is empty. """
    has_more: bool
    """ Whether more threads remain beyond this page in the direction of reading: after
    its last entry, or, when the page was requested with `before` alone, before its
    first entry.
     """
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
