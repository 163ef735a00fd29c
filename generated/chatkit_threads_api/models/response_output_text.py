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
    from ..models.file_annotation import FileAnnotation
    from ..models.url_annotation import UrlAnnotation


T = TypeVar("T", bound="ResponseOutputText")


@_attrs_define
class ResponseOutputText:
    """Assistant response text with its annotations."""

    type_: Literal["output_text"]
    """ Type discriminator that is always `output_text`. """
    text: str
    """ Assistant generated text. """
    annotations: list[FileAnnotation | UrlAnnotation]
    """ Ordered list of annotations attached to the response text. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.file_annotation import FileAnnotation

        type_ = self.type_

        text = self.text

        annotations = []
        for annotations_item_data in self.annotations:
            annotations_item: dict[str, Any]
            if isinstance(annotations_item_data, FileAnnotation):
                annotations_item = annotations_item_data.to_dict()
            else:
                annotations_item = annotations_item_data.to_dict()

            annotations.append(annotations_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "text": text,
                "annotations": annotations,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.file_annotation import FileAnnotation
        from ..models.url_annotation import UrlAnnotation

        d = dict(src_dict)
        type_ = cast(Literal["output_text"], d.pop("type"))
        if type_ != "output_text":
            raise ValueError(f"type must match const 'output_text', got '{type_}'")

        text = d.pop("text")

        annotations = []
        _annotations = d.pop("annotations")
        for annotations_item_data in _annotations:

            def _parse_annotations_item(data: object) -> FileAnnotation | UrlAnnotation:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_annotation_type_0 = FileAnnotation.from_dict(data)

                    return componentsschemas_annotation_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_annotation_type_1 = UrlAnnotation.from_dict(data)

                return componentsschemas_annotation_type_1

            annotations_item = _parse_annotations_item(annotations_item_data)

            annotations.append(annotations_item)

        response_output_text = cls(
            type_=type_,
            text=text,
            annotations=annotations,
        )

        response_output_text.additional_properties = d
        return response_output_text

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
