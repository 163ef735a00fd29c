"""Follow-up requests go only to the target of a contract run in progress.

The suite's checks are registered with schemathesis for the whole process, so they also
run in other schemathesis tests (the mock server's own, a user's); there, a follow-up
would go to whatever URL the response names, such as the spec's `servers` URL.
"""

from __future__ import annotations

from types import SimpleNamespace

import httpx

from chatkit_threads_contract.followup import Followup, targeting


def _response(url: str) -> SimpleNamespace:
    request = httpx.Request("GET", url, headers={"Authorization": "Bearer sk-test"})
    return SimpleNamespace(request=request)


def test_no_followup_outside_a_contract_run() -> None:
    assert Followup.from_response(_response("https://api.openai.com/v1/chatkit/threads")) is None


def test_followups_only_to_the_run_target() -> None:
    with targeting("http://127.0.0.1:8000/v1/"):
        follow = Followup.from_response(_response("http://127.0.0.1:8000/v1/chatkit/threads"))
        assert follow is not None and follow.base_url == "http://127.0.0.1:8000/v1"
        elsewhere = _response("https://api.openai.com/v1/chatkit/threads")
        assert Followup.from_response(elsewhere) is None
    # The permission ends with the run.
    assert Followup.from_response(_response("http://127.0.0.1:8000/v1/chatkit/threads")) is None


def test_nested_runs_on_one_target_keep_it_until_the_last_ends() -> None:
    url = "http://127.0.0.1:9000/v1/chatkit/threads"
    with targeting("http://127.0.0.1:9000/v1"):
        with targeting("http://127.0.0.1:9000/v1"):
            assert Followup.from_response(_response(url)) is not None
        assert Followup.from_response(_response(url)) is not None
    assert Followup.from_response(_response(url)) is None


def test_unauthorised_requests_get_no_followup() -> None:
    with targeting("http://127.0.0.1:8000/v1"):
        bare = SimpleNamespace(
            request=httpx.Request("GET", "http://127.0.0.1:8000/v1/chatkit/threads")
        )
        assert Followup.from_response(bare) is None
