from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.url_annotation_source import UrlAnnotationSource


@_attrs_define
class UrlAnnotation:
    """Annotation that references a URL."""

    type_: Literal["url"]
    """ Type discriminator that is always `url` for this annotation. """
    source: UrlAnnotationSource
    """ URL referenced by the annotation. """
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
