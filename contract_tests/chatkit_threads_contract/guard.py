"""Keeping DELETE requests the run does not allow from being generated, let alone sent."""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import unquote

from .contract import SpecContract
from .options import DestructiveRequestRefused

__all__ = ["DeleteGuard"]


class DeleteGuard:
    """The run's DELETE policy, applied at generation and once more before sending.

    Under the `listed` policy a thread may be deleted only if a listing showed it to the
    suite first; every id listed is remembered by `after_call`. A dropped request is
    never sent and never judged: it is counted as not run, not reported as an error.
    """

    def __init__(self, policy: str, contract: SpecContract) -> None:
        self.policy = policy
        self.contract = contract
        self.listed: set[str] = set()
        self.deleted: list[str] = []
        self.skipped = 0
        self._lock = threading.Lock()
        delete = contract.operations.get("delete_thread")
        # The delete path as a pattern of the request path (its thread id captured).
        self._delete_path = (
            re.compile(re.sub(r"\\\{[^}]*\\\}", "([^/]+)", re.escape(delete.path)) + "$")
            if delete is not None
            else None
        )

    def _may_delete(self, thread_id: str) -> bool:
        if self.policy == "all":
            return True
        with self._lock:
            return self.policy == "listed" and thread_id in self.listed

    def allows(self, case: Any) -> bool:
        """Whether `case` may be sent: anything but a DELETE the policy does not allow."""
        if str(case.method).upper() != "DELETE" or self.policy == "all":
            return True
        role = self.contract.role_of(case.method, case.operation.path)
        thread_id = str(next(iter((case.path_parameters or {}).values()), ""))
        return role == "delete_thread" and self._may_delete(thread_id)

    def skip(self, count: int) -> None:
        """Count `count` generated requests dropped by the policy."""
        with self._lock:
            self.skipped += count

    def filter_case(self, case: Any) -> bool:
        """Drop, at generation, a DELETE the policy does not allow: it is counted, not sent."""
        if self.allows(case):
            return True
        self.skip(1)
        return False

    def before_send(self, method: str, path: str) -> None:
        """The last line of defence: `filter_case` should have dropped the request already."""
        if method != "DELETE" or self.policy == "all":
            return
        found = self._delete_path.search(path) if self._delete_path is not None else None
        if found is None or not self._may_delete(unquote(found.group(1))):
            raise DestructiveRequestRefused(f"refused DELETE {path}")

    def after_call(self, case: Any, response: Any) -> None:
        """Remember the ids a listing showed (for the `listed` policy) and the deletes made."""
        role = self.contract.role_of(case.method, case.operation.path)
        if response.status_code != 200 or role not in ("list_threads", "delete_thread"):
            return
        if role == "delete_thread":
            thread_id = str(next(iter((case.path_parameters or {}).values()), ""))
            with self._lock:
                if thread_id not in self.deleted:
                    self.deleted.append(thread_id)
            return
        try:
            data = response.json().get("data", [])
        except Exception:
            return
        with self._lock:
            self.listed.update(
                str(row["id"]) for row in data if isinstance(row, dict) and "id" in row
            )
