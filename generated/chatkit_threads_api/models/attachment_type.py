from typing import Literal

AttachmentType = Literal["file", "image"]

ATTACHMENT_TYPE_VALUES: set[AttachmentType] = {
    "file",
    "image",
}


def check_attachment_type(value: str) -> AttachmentType:
    if value in ATTACHMENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {ATTACHMENT_TYPE_VALUES!r}"
    )
