"""A server that echoes the API key back in any string (a thread id, a title, a message's
text, an unknown variant, a field the spec does not know) puts it into the returned
models: their ``repr``, and those of pages, cursors and raw/streamed responses, never
show it; ``to_dict()``/``to_json()`` keep the data exactly as received."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import httpx
import pytest

from chatkit_threads import AsyncChatKit, ChatKit, _secrets
from chatkit_threads.types import ThreadItemListResource, ThreadResource, UnknownThreadStatus
from chatkit_threads_api import models as generated
from tests.client.support import json_response, make_async_client, make_client, page, thread
from tests.client.test_echoed_secrets import ODD_KEY, spellings
from tests.client.test_lazy_nested import ASSISTANT_MESSAGE, USER_MESSAGE


def assert_hidden(texts: list[str], key: str) -> None:
    """No spelling of ``key`` in ``texts``: raw, as a URL carries it, or escaped as a
    ``repr`` or JSON writes it (a key with quotes in it is escaped inside a repr)."""
    forms = {*spellings(key), repr(key)[1:-1], json.dumps(key)[1:-1]}
    for text in texts:
        for form in forms:
            assert form not in text, text


def echoing(key: str) -> dict[str, Any]:
    """JSON bodies carrying ``key`` wherever a server could put a string."""
    user = copy.deepcopy(USER_MESSAGE)
    user["id"] = key
    user["content"][0]["text"] = f"my key is {key}"
    user["content"].append(key)  # not an object: kept as it came, among the models
    user["attachments"][0]["name"] = key
    user["inference_options"]["tool_choice"]["id"] = key
    assistant = copy.deepcopy(ASSISTANT_MESSAGE)
    assistant["content"][0]["annotations"][0]["source"]["filename"] = key
    assistant["content"].append({"type": "from-the-future", "echo": key})
    assistant["attachments"] = ["not an object", key]  # raw JSON kept as it came
    unknown_item = {"type": "chatkit.future_item", "id": "cthi_3", "text": key}
    items = page([user, assistant, unknown_item], has_more=True, last_id=key)
    status = {"type": "archived", "reason": key}
    one = thread(key, title=f"about {key}", status=status, echo=key)
    return {"thread": one, "items": items, "threads": page([one], has_more=True)}


def handler_for(key: str) -> Any:
    bodies = echoing(key)

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/items"):
            return json_response(200, bodies["items"], **{"x-request-id": key})
        if request.url.path.endswith("/threads"):
            return json_response(200, bodies["threads"])
        return json_response(200, bodies["thread"])

    return handle


# The caller's own values: their repr is Python's, whatever they hold.
PLAIN = (str, int, float, bool, type(None), dict, list)


def reprs(value: Any, seen: set[int] | None = None) -> list[str]:
    """``repr`` of ``value`` and of every model and list of models reachable from its
    attributes (each nested model built by reading it); a plain value (a ``str``, a
    ``dict`` of unknown keys) is the data itself, so only walked into."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    seen.add(id(value))
    found = [] if type(value) in PLAIN else [repr(value)]
    if isinstance(value, list):
        for element in value:
            found += reprs(element, seen)
    for name in getattr(type(value), "__attrs_attrs__", ()):
        found += reprs(getattr(value, name.name), seen)
    return found


@pytest.mark.parametrize("key", ["sk-echo-0123456789abcdefghij", ODD_KEY])
def test_models_pages_cursors_and_responses_echoing_the_key_hide_it(key: str) -> None:
    client, _ = make_client(handler_for(key), api_key=key)
    thread_model = client.threads.retrieve("t")
    items = client.threads.list_items("t")
    threads = client.threads.list()
    raw = client.threads.with_raw_response.list_items("t")
    with client.threads.with_streaming_response.retrieve("t") as streamed:
        texts = [repr(streamed)]
        streamed_model = streamed.parse()
    info = items.next_page_info()
    assert info is not None
    texts += [repr(info), repr(raw), repr(raw.parse()), repr(items), repr(threads)]
    for model in (thread_model, streamed_model, *items.data, *threads.data):
        texts += reprs(model)
    assert isinstance(thread_model.status, UnknownThreadStatus)
    assert len(texts) > 25  # every nested model, list and unknown variant was shown
    assert_hidden(texts, key)
    assert any("<redacted>" in text for text in texts)
    # Data, not messages: exactly as received.
    bodies = echoing(key)
    assert thread_model.to_dict() == streamed_model.to_dict() == bodies["thread"]
    assert items.to_dict() == bodies["items"] and raw.parse().to_dict() == bodies["items"]
    assert json.loads(thread_model.to_json()) == bodies["thread"]
    assert thread_model.id == key and thread_model.status.raw["reason"] == key
    assert raw.request_id is not None and key not in raw.request_id


def test_async_models_and_pages_hide_an_echoed_key() -> None:
    client, _ = make_async_client(handler_for(ODD_KEY), api_key=ODD_KEY)

    async def main() -> list[str]:
        async with client:
            thread_model = await client.threads.retrieve("t")
            items = await client.threads.list_items("t")
            async with client.threads.with_streaming_response.list_items("t") as streamed:
                shown = [repr(streamed), repr(await streamed.parse())]
            return shown + reprs(thread_model) + reprs(items.data) + [repr(items)]

    assert_hidden(asyncio.run(main()), ODD_KEY)


def test_a_model_built_by_hand_hides_every_known_key() -> None:
    key = "sk-by-hand-0123456789abcdef"
    ChatKit(api_key=key).close()  # the process now knows the key
    model = ThreadResource.from_dict(thread("t", title=key))
    listing = ThreadItemListResource.from_dict(echoing(key)["items"])
    assert_hidden([repr(model), *reprs(listing)], key)
    # Every spelling the key may take inside a string is found (repr escapes some).
    for form in spellings(key):
        assert form not in repr(ThreadResource.from_dict(thread(form)))


def test_without_a_known_key_repr_is_the_generated_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_secrets, "_known", {})
    key = "sk-not-a-client-key-0123456789"
    model = ThreadResource.from_dict(thread(key))
    assert repr(model) == generated.ThreadResource.__repr__(model)
    assert key in repr(model)  # no client knows it: nothing to hide it from
    AsyncChatKit(api_key=key)  # now one does
    assert key not in repr(model)
