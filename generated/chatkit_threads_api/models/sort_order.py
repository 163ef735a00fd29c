from typing import Literal

SortOrder = Literal["asc", "desc"]
