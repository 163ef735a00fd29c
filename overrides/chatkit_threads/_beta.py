"""``client.beta.chatkit.threads``: the ``openai`` SDK's path to ``client.threads``."""

from __future__ import annotations

from typing import Generic, TypeVar

__all__ = ["Beta", "BetaChatKit"]

_ThreadsT = TypeVar("_ThreadsT")


class BetaChatKit(Generic[_ThreadsT]):
    """``client.beta.chatkit``: the ``openai`` SDK's path to the same resources."""

    __slots__ = ("threads",)

    def __init__(self, threads: _ThreadsT) -> None:
        self.threads = threads
        """The very object that is ``client.threads``."""


class Beta(Generic[_ThreadsT]):
    """``client.beta``: so ``client.beta.chatkit.threads`` is ``client.threads``, as
    code written for the ``openai`` SDK spells it."""

    __slots__ = ("chatkit",)

    def __init__(self, threads: _ThreadsT) -> None:
        self.chatkit = BetaChatKit(threads)
