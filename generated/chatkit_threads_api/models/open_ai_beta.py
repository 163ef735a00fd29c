from typing import Literal

OpenAIBeta = Literal["chatkit_beta=v1"]

OPEN_AI_BETA_VALUES: set[OpenAIBeta] = {
    "chatkit_beta=v1",
}


def check_open_ai_beta(value: str) -> OpenAIBeta:
    if value in OPEN_AI_BETA_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {OPEN_AI_BETA_VALUES!r}"
    )
