"""The ChatKit checks: what a JSON schema cannot say about a ChatKit Threads server.

They live in `checks_page` (one response on its own) and `checks_followup` (confirmed
with follow-up requests); importing this module registers them all. The list of checks
is the registry (`registry.CHECKS`), in definition order: nothing here repeats it.
"""

from __future__ import annotations

from . import checks_followup, checks_page
from .registry import CHECKS, check_names

__all__ = ["CHECKS", "ISOLATION_CHECK", "check_names"]

ISOLATION_CHECK = checks_followup.data_isolated_per_key.__name__
"""The check that needs a second API key (`--other-api-key`)."""

# Both modules are imported for their registrations; naming them keeps that explicit.
MODULES = (checks_page, checks_followup)
