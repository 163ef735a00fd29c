from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.active_status import ActiveStatus
    from ..models.closed_status import ClosedStatus
    from ..models.locked_status import LockedStatus


@_attrs_define
class ThreadResource:
    """Represents a ChatKit thread and its current status."""

    id: str
    """ Identifier of the thread. """
    object_: Literal["chatkit.thread"]
    """ Type discriminator that is always `chatkit.thread`. """
    created_at: int
    """ Unix timestamp (in seconds) for when the thread was created. """
    title: None | str
    """ Optional human-readable title for the thread. Null when no title has been generated. """
    status: ActiveStatus | ClosedStatus | LockedStatus
    """ Current status for the thread. Defaults to `active` for newly created threads. """
    user: str
    """ Free-form string that identifies your end user who owns the thread. """
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
