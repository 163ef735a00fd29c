from typing import Literal

AttachmentType = Literal["file", "image"]
