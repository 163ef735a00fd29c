from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.tool_choice import ToolChoice


@_attrs_define
class InferenceOptions:
    """Inference overrides applied to a user message."""

    model: None | str
    """ Model name that generated the response. Null when using the session default. """
    tool_choice: None | ToolChoice
    """ Preferred tool to invoke. Null when ChatKit should auto-select. """
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
