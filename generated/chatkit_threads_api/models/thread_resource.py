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
    from ..models.active_status import ActiveStatus
    from ..models.closed_status import ClosedStatus
    from ..models.locked_status import LockedStatus


T = TypeVar("T", bound="ThreadResource")


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

    def to_dict(self) -> dict[str, Any]:
        from ..models.active_status import ActiveStatus
        from ..models.locked_status import LockedStatus

        id = self.id

        object_ = self.object_

        created_at = self.created_at

        title: None | str
        title = self.title

        status: dict[str, Any]
        if isinstance(self.status, ActiveStatus) or isinstance(
            self.status, LockedStatus
        ):
            status = self.status.to_dict()
        else:
            status = self.status.to_dict()

        user = self.user

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "created_at": created_at,
                "title": title,
                "status": status,
                "user": user,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.active_status import ActiveStatus
        from ..models.closed_status import ClosedStatus
        from ..models.locked_status import LockedStatus

        d = dict(src_dict)
        id = d.pop("id")

        object_ = cast(Literal["chatkit.thread"], d.pop("object"))
        if object_ != "chatkit.thread":
            raise ValueError(
                f"object must match const 'chatkit.thread', got '{object_}'"
            )

        created_at = d.pop("created_at")

        def _parse_title(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        title = _parse_title(d.pop("title"))

        def _parse_status(data: object) -> ActiveStatus | ClosedStatus | LockedStatus:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_thread_status_type_0 = ActiveStatus.from_dict(data)

                return componentsschemas_thread_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_thread_status_type_1 = LockedStatus.from_dict(data)

                return componentsschemas_thread_status_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_thread_status_type_2 = ClosedStatus.from_dict(data)

            return componentsschemas_thread_status_type_2

        status = _parse_status(d.pop("status"))

        user = d.pop("user")

        thread_resource = cls(
            id=id,
            object_=object_,
            created_at=created_at,
            title=title,
            status=status,
            user=user,
        )

        thread_resource.additional_properties = d
        return thread_resource

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
