from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.attachment_type import AttachmentType, check_attachment_type

T = TypeVar("T", bound="Attachment")


@_attrs_define
class Attachment:
    """Attachment metadata included on a user message."""

    id: str
    """ Identifier for the attachment. """
    mime_type: str
    """ MIME type of the attachment. """
    name: str
    """ Original display name for the attachment. """
    preview_url: None | str
    """ Preview URL for rendering the attachment inline; null when there is none. """
    type_: AttachmentType
    """ Attachment discriminator. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        mime_type = self.mime_type

        name = self.name

        preview_url: None | str
        preview_url = self.preview_url

        type_: str = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "mime_type": mime_type,
                "name": name,
                "preview_url": preview_url,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        mime_type = d.pop("mime_type")

        name = d.pop("name")

        def _parse_preview_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        preview_url = _parse_preview_url(d.pop("preview_url"))

        type_ = check_attachment_type(d.pop("type"))

        attachment = cls(
            id=id,
            mime_type=mime_type,
            name=name,
            preview_url=preview_url,
            type_=type_,
        )

        attachment.additional_properties = d
        return attachment

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
