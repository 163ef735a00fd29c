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
    from ..models.attachment import Attachment
    from ..models.inference_options import InferenceOptions
    from ..models.input_text_content import InputTextContent
    from ..models.quoted_text_content import QuotedTextContent


T = TypeVar("T", bound="UserMessageItem")


@_attrs_define
class UserMessageItem:
    """User-authored message within a thread."""

    id: str
    """ Identifier of the thread item. """
    object_: Literal["chatkit.thread_item"]
    """ Type discriminator that is always `chatkit.thread_item`. """
    created_at: int
    """ Unix timestamp (in seconds) for when the item was created. """
    thread_id: str
    """ Identifier of the parent thread. """
    type_: Literal["chatkit.user_message"]
    """ Type discriminator that is always `chatkit.user_message`. """
    content: list[InputTextContent | QuotedTextContent]
    """ Ordered content elements supplied by the user. """
    attachments: list[Attachment]
    """ Attachments associated with the user message. Defaults to an empty list. """
    inference_options: InferenceOptions | None
    """ Inference overrides applied to the message. Null when unset. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.inference_options import InferenceOptions
        from ..models.input_text_content import InputTextContent

        id = self.id

        object_ = self.object_

        created_at = self.created_at

        thread_id = self.thread_id

        type_ = self.type_

        content = []
        for content_item_data in self.content:
            content_item: dict[str, Any]
            if isinstance(content_item_data, InputTextContent):
                content_item = content_item_data.to_dict()
            else:
                content_item = content_item_data.to_dict()

            content.append(content_item)

        attachments = []
        for attachments_item_data in self.attachments:
            attachments_item = attachments_item_data.to_dict()
            attachments.append(attachments_item)

        inference_options: dict[str, Any] | None
        if isinstance(self.inference_options, InferenceOptions):
            inference_options = self.inference_options.to_dict()
        else:
            inference_options = self.inference_options

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "created_at": created_at,
                "thread_id": thread_id,
                "type": type_,
                "content": content,
                "attachments": attachments,
                "inference_options": inference_options,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.attachment import Attachment
        from ..models.inference_options import InferenceOptions
        from ..models.input_text_content import InputTextContent
        from ..models.quoted_text_content import QuotedTextContent

        d = dict(src_dict)
        id = d.pop("id")

        object_ = cast(Literal["chatkit.thread_item"], d.pop("object"))
        if object_ != "chatkit.thread_item":
            raise ValueError(
                f"object must match const 'chatkit.thread_item', got '{object_}'"
            )

        created_at = d.pop("created_at")

        thread_id = d.pop("thread_id")

        type_ = cast(Literal["chatkit.user_message"], d.pop("type"))
        if type_ != "chatkit.user_message":
            raise ValueError(
                f"type must match const 'chatkit.user_message', got '{type_}'"
            )

        content = []
        _content = d.pop("content")
        for content_item_data in _content:

            def _parse_content_item(
                data: object,
            ) -> InputTextContent | QuotedTextContent:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_user_message_content_type_0 = (
                        InputTextContent.from_dict(data)
                    )

                    return componentsschemas_user_message_content_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_user_message_content_type_1 = (
                    QuotedTextContent.from_dict(data)
                )

                return componentsschemas_user_message_content_type_1

            content_item = _parse_content_item(content_item_data)

            content.append(content_item)

        attachments = []
        _attachments = d.pop("attachments")
        for attachments_item_data in _attachments:
            attachments_item = Attachment.from_dict(attachments_item_data)

            attachments.append(attachments_item)

        def _parse_inference_options(data: object) -> InferenceOptions | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                inference_options_type_0 = InferenceOptions.from_dict(data)

                return inference_options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InferenceOptions | None, data)

        inference_options = _parse_inference_options(d.pop("inference_options"))

        user_message_item = cls(
            id=id,
            object_=object_,
            created_at=created_at,
            thread_id=thread_id,
            type_=type_,
            content=content,
            attachments=attachments,
            inference_options=inference_options,
        )

        user_message_item.additional_properties = d
        return user_message_item

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
