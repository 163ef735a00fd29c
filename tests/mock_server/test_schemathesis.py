"""schemathesis, with every built-in check, against the mock in-process.

The contract suite (`chatkit_threads_contract`) is the full judge of the server; this
is the mock's own guard that it conforms to the spec (shapes, status codes, content
types, headers, negative data rejected, auth, use after free), run on every change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from chatkit_threads_mock import DEFAULT_API_KEY, create_app

SPEC = Path(__file__).parents[2] / "openapi" / "chatkit-threads.yaml"
AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}

# The default set (every status and item kind) plus enough threads that the stateful
# phase, which deletes, never runs out of them.
APP = create_app(seed="default,synthetic:300")

_config = schemathesis.Config.from_dict(
    {
        # An unknown query parameter is not negative data here: the mock (as the API)
        # ignores parameters the spec does not name, so a client's `extra_query` works.
        "generation": {"max-examples": 25, "allow-extra-parameters": False},
        "checks": {
            # object_level_authorization needs a second user configured; the mock's own
            # tests check isolation between keys directly.
            "object_level_authorization": {"enabled": False},
            # The built-in defaults, plus 400: a valid request may be refused, but only
            # for an unknown cursor (`only_cursors_refuse_valid_requests` below).
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429", "5xx"]
            },
        },
    }
)
schema = schemathesis.openapi.from_path(SPEC, config=_config)
schema.app = APP


@schemathesis.check
def only_cursors_refuse_valid_requests(ctx: Any, response: Any, case: Any) -> bool | None:
    """A schema-valid request gets 400 only for an `after`/`before` id that names nothing.

    The spec cannot say which ids exist; the mock answers an unknown cursor with a 400
    naming it (as its issue asks). Every other status a valid request gets is judged
    by the built-in `positive_data_acceptance`.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    error = response.json()["error"]
    assert error["param"] in ("after", "before") and error["code"] == "invalid_cursor", error
    assert (case.query or {}).get(error["param"]), error
    return None


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_every_operation_conforms(case: Any) -> None:
    case.call_and_validate(headers=AUTH, additional_checks=[only_cursors_refuse_valid_requests])


class StatefulMachine(schema.as_state_machine()):  # type: ignore[misc]
    """list -> retrieve / items / delete -> retrieve gives 404, through the spec's links."""

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        return {"headers": AUTH}

    def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
        # `kwargs` carries the headers the call was made with (the key included).
        case.validate_response(
            response, additional_checks=[only_cursors_refuse_valid_requests], **kwargs
        )


TestStateful = StatefulMachine.TestCase
TestStateful.settings = settings(
    max_examples=20, stateful_step_count=8, deadline=None, suppress_health_check=list(HealthCheck)
)
