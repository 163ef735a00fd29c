"""The drift report's checker names exactly the paths (and problems) strict mode names.

Every conforming body the mock serves (each item type, each status) is broken one way
at a time: each field removed, given a value of the wrong JSON type, or (for strings)
an unknown value; for union members also spelled without the namespace of their
`type` while something else is wrong. For each broken body, `SpecChecker.check` and
`ChatKit(strict=True)` must name the same JSON paths.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chatkit_threads import ChatKit, ResponseValidationError
from chatkit_threads_cli.conformance import SpecChecker, fold_path
from chatkit_threads_mock import MockServer

Path = tuple[str | int, ...]


@pytest.fixture(scope="module")
def served() -> dict[str, list[Any]]:
    """Conforming bodies of each operation, from the default seed."""
    with MockServer() as server:
        client = ChatKit(api_key=server.api_key, base_url=server.base_url)
        threads = [t.to_dict() for t in client.threads.list(limit=100)]
        items = [
            {"object": "list", "data": [item.to_dict()], "first_id": None, "last_id": None}
            | {"has_more": False}
            for thread in threads
            for item in client.threads.list_items(str(thread["id"]), limit=100)
        ]
        client.close()
    return {"retrieveThread": _distinct(threads), "listThreadItems": _distinct(items)}


def _shape(value: Any) -> Any:
    # A body's structure: its keys, variant names and JSON types, not its data.
    if isinstance(value, dict):
        return tuple(
            (k, v if k == "type" and isinstance(v, str) else _shape(v)) for k, v in value.items()
        )
    if isinstance(value, list):
        return tuple(sorted({repr(_shape(v)) for v in value}))
    return type(value).__name__


def _distinct(bodies: list[Any]) -> list[Any]:
    """One body of each shape (the seed repeats shapes with other data)."""
    return list({repr(_shape(body)): body for body in bodies}.values())


def _strict_paths(operation: str, body: Any) -> set[tuple[str, str]]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    transport = httpx.Client(transport=httpx.MockTransport(answer))
    with ChatKit(api_key="k", base_url="http://drift.test/v1", strict=True, http_client=transport):
        pass
    client = ChatKit(
        api_key="k", base_url="http://drift.test/v1", strict=True, http_client=transport
    )
    try:
        if operation == "retrieveThread":
            client.threads.retrieve("cthr_x")
        else:
            client.threads.list_items("cthr_x")
    except ResponseValidationError as error:
        return {(path, message) for path, message in error.errors}
    finally:
        transport.close()
    return set()


def _wrong(value: Any) -> Any:
    if isinstance(value, str):
        return 12345
    if isinstance(value, bool | int | float) or value is None:
        return "x"
    return "x" if isinstance(value, dict | list) else None


def _mutations(node: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key), "remove"
            yield (*path, key), "wrong type"
            if isinstance(value, str):
                yield (*path, key), "unknown value"
            yield from _mutations(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _mutations(value, (*path, index))


def _apply(body: Any, path: Path, how: str) -> Any:
    body = copy.deepcopy(body)
    parent = body
    for part in path[:-1]:
        parent = parent[part]
    if how == "remove":
        del parent[path[-1]]
    elif how == "wrong type":
        parent[path[-1]] = _wrong(parent[path[-1]])
    else:
        parent[path[-1]] = "zz_unknown"
    return body


def _unprefixed(body: Any) -> Any:
    """The body with its item's `type` spelled without namespace, or None if it has none."""
    item = body.get("data", [None])[0] if isinstance(body, dict) else None
    kind = item.get("type") if isinstance(item, dict) else None
    if not isinstance(kind, str) or "." not in kind:
        return None
    body = copy.deepcopy(body)
    body["data"][0]["type"] = kind.rsplit(".", 1)[1]
    return body


def test_the_checker_and_strict_mode_name_the_same_paths(served: dict[str, list[Any]]) -> None:
    checker = SpecChecker()
    cases = drifted = 0
    for operation, bodies in served.items():
        for base in bodies:
            variants = [base]
            unprefixed = _unprefixed(base)
            if unprefixed is not None:
                variants.append(unprefixed)
            for start in variants:
                for path, how in _mutations(start):
                    if path[-1] == "type" and start is unprefixed:
                        continue
                    body = _apply(start, path, how)
                    # The same paths, and the same words: one validator behind both.
                    named = {(d.path, d.problem) for d in checker.check(operation, body)}
                    assert named == _strict_paths(operation, body), (operation, path, how)
                    cases += 1
                    drifted += bool(named)
    # Most breakages are departures (an unknown id or a null title turned string is not).
    assert cases > 1000 and drifted > cases // 2


def test_an_unprefixed_type_is_one_unknown_variant_plus_the_variants_own_departures() -> None:
    checker = SpecChecker()
    item: dict[str, Any] = {
        "id": "cthi_1",
        "object": "chatkit.thread_item",
        "thread_id": "cthr_1",
        "type": "user_message",
        "content": [],
        "attachments": [],
        "inference_options": None,
    }
    body = {"object": "list", "data": [item], "first_id": None, "last_id": None, "has_more": False}
    found = {
        (d.schema, fold_path(d.path), d.problem.split(";")[0])
        for d in checker.check("listThreadItems", body)
    }
    assert found == {
        ("ThreadItem", "$.data[*].type", "'user_message' is not a spec thread item type"),
        ("UserMessageItem", "$.data[*].created_at", "required field is missing"),
    }
    item["type"] = "nothing_like_it"
    unknown = {(d.schema, d.path) for d in checker.check("listThreadItems", body)}
    assert unknown == {("ThreadItem", "$.data[0].type")}
