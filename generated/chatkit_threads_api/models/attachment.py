from __future__ import annotations

from typing import Any

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.attachment_type import AttachmentType


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
