"""The ``threads`` commands: list, get, items, export, delete.

Each command parses its options, calls the public client through ``Settings.client()``
and hands the results to a renderer; the work itself lives in ``render``, ``export``
and ``delete``. The commands are in ``browse`` (list, get, items) and ``bulk`` (export,
delete); their shared options in ``options``. Importing this module registers them all.
"""

from __future__ import annotations

from . import browse, bulk
from .options import threads_app

__all__ = ["browse", "bulk", "threads_app"]
