"""The README's "Using the client" examples run, in order, against an in-memory API.

The examples read ``OPENAI_API_KEY``/``OPENAI_BASE_URL`` like user code does; respx
routes everything sent to that base URL to ``FakeAPI``, so nothing leaves the process.
"""

from __future__ import annotations

import contextlib
import io
import re
from typing import Any

import pytest
import respx

from tests.client.support import ROOT, fake_api
from tests.spec_facts import BETA_HEADER, BETA_VALUE

README = ROOT / "README.md"


def client_blocks() -> list[str]:
    """The python code blocks between the client markers of the README."""
    text = README.read_text()
    section = text[text.index("<!-- client:start -->") : text.index("<!-- client:end -->")]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_readme_has_sync_async_and_feature_examples() -> None:
    blocks = client_blocks()
    assert len(blocks) >= 6
    assert "with ChatKit() as client" in blocks[0]
    assert "async with AsyncChatKit() as client" in blocks[1]
    topics = ("iter_pages", "NotFoundError", "RetryPolicy", "strict=True", "with_raw_response")
    for topic in (*topics, "redact("):
        assert any(topic in block for block in blocks), topic


BASE_URL = "https://chatkit.example/v1"


def test_the_readme_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-readme")
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    namespace: dict[str, Any] = {"__name__": "readme"}
    out = io.StringIO()
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.route().mock(side_effect=fake_api())
        with contextlib.redirect_stdout(out):
            for block in client_blocks():
                exec(compile(block, str(README), "exec"), namespace)
        sent = [call.request for call in router.calls]
    printed = out.getvalue()
    assert len(sent) > 10
    assert {r.headers["Authorization"] for r in sent} == {"Bearer sk-readme"}
    assert {r.headers[BETA_HEADER] for r in sent} == {BETA_VALUE}
    assert "user: " in printed  # the sync example walked a thread's items
    assert "items on the first page" in printed  # the async example ran
    assert "404 not_found" in printed  # the error example caught NotFoundError
    assert "'$.data[0].type'" in printed and "'$.last_id'" in printed  # strict paths
    assert "200 " in printed  # the raw response example
    assert "threads?after=<redacted>" in printed and "sk-readme" not in printed
    assert namespace["page"].data  # the raw response parsed into a page
