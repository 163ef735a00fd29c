from typing import Literal

TaskType = Literal["custom", "thought"]
