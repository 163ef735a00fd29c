from typing import Literal

ClientToolCallStatus = Literal["completed", "in_progress"]
