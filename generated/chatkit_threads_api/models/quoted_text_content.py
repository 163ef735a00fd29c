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

T = TypeVar("T", bound="QuotedTextContent")


@_attrs_define
class QuotedTextContent:
    """Quoted snippet that the user referenced in their message."""

    type_: Literal["quoted_text"]
    """ Type discriminator that is always `quoted_text`. """
    text: str
    """ Quoted text content. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        text = self.text

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "text": text,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = cast(Literal["quoted_text"], d.pop("type"))
        if type_ != "quoted_text":
            raise ValueError(f"type must match const 'quoted_text', got '{type_}'")

        text = d.pop("text")

        quoted_text_content = cls(
            type_=type_,
            text=text,
        )

        quoted_text_content.additional_properties = d
        return quoted_text_content

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
