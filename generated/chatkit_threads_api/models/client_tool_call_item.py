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

from ..models.client_tool_call_status import (
    ClientToolCallStatus,
    check_client_tool_call_status,
)

T = TypeVar("T", bound="ClientToolCallItem")


@_attrs_define
class ClientToolCallItem:
    """Record of a client side tool invocation initiated by the assistant."""

    id: str
    """ Identifier of the thread item. """
    object_: Literal["chatkit.thread_item"]
    """ Type discriminator that is always `chatkit.thread_item`. """
    created_at: int
    """ Unix timestamp (in seconds) for when the item was created. """
    thread_id: str
    """ Identifier of the parent thread. """
    type_: Literal["chatkit.client_tool_call"]
    """ Type discriminator that is always `chatkit.client_tool_call`. """
    name: str
    """ Tool name that was invoked. """
    call_id: str
    """ Identifier for the client tool call. """
    arguments: str
    """ JSON-encoded arguments that were sent to the tool. """
    output: None | str
    """ JSON-encoded output captured from the tool. Null while execution is in progress. """
    status: ClientToolCallStatus
    """ Execution status for the tool call. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_

        created_at = self.created_at

        thread_id = self.thread_id

        type_ = self.type_

        name = self.name

        call_id = self.call_id

        arguments = self.arguments

        output: None | str
        output = self.output

        status: str = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "created_at": created_at,
                "thread_id": thread_id,
                "type": type_,
                "name": name,
                "call_id": call_id,
                "arguments": arguments,
                "output": output,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        object_ = cast(Literal["chatkit.thread_item"], d.pop("object"))
        if object_ != "chatkit.thread_item":
            raise ValueError(
                f"object must match const 'chatkit.thread_item', got '{object_}'"
            )

        created_at = d.pop("created_at")

        thread_id = d.pop("thread_id")

        type_ = cast(Literal["chatkit.client_tool_call"], d.pop("type"))
        if type_ != "chatkit.client_tool_call":
            raise ValueError(
                f"type must match const 'chatkit.client_tool_call', got '{type_}'"
            )

        name = d.pop("name")

        call_id = d.pop("call_id")

        arguments = d.pop("arguments")

        def _parse_output(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        output = _parse_output(d.pop("output"))

        status = check_client_tool_call_status(d.pop("status"))

        client_tool_call_item = cls(
            id=id,
            object_=object_,
            created_at=created_at,
            thread_id=thread_id,
            type_=type_,
            name=name,
            call_id=call_id,
            arguments=arguments,
            output=output,
            status=status,
        )

        client_tool_call_item.additional_properties = d
        return client_tool_call_item

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
