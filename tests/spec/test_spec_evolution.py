"""The spec drives the client: an additive change is one `scripts/generate`, no hand edit.

In a copy of the repository, additive changes of every kind are made to the spec (a new
property, a new variant of each union, a new enum value, changed bounds and default, new
query parameters); `scripts/generate` runs there (api.md and the README come along), and then
the client, CLI, mock server and contract tests, the client contract suite, a probe of
the new features and `mypy --strict` on all the hand-written code and the probe pass
against the copy, with nothing hand-written touched. A breaking change is refused by
`scripts/generate`, naming what changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT

# The inner test run alone may take 900 s (its own timeout below): pyproject's 300 s
# would cut the additive case short on a busy machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

SOURCES = ("generated", "overrides", "mock_server", "contract_tests", "cli")
SKIP = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", "*.egg-info", "out", "results"
)


def _copy_repository(dest: Path) -> Path:
    for entry in ROOT.iterdir():
        if entry.name in {".git", ".venv", "out", ".mypy_cache", ".ruff_cache"}:
            continue
        if entry.name.endswith(".egg-info"):
            continue
        if entry.is_dir():
            shutil.copytree(entry, dest / entry.name, ignore=SKIP, symlinks=True)
        else:
            shutil.copy2(entry, dest / entry.name)
    return dest


def _env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The copy's packages shadow the editable install of this checkout.
    env["PYTHONPATH"] = os.pathsep.join(str(root / name) for name in (*SOURCES, "."))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run(root: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=root,
        env=_env(root),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _edit_spec(root: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = root / "openapi" / "chatkit-threads.yaml"
    spec = yaml.safe_load(path.read_text())
    change(spec)
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _hand_written(root: Path) -> dict[str, bytes]:
    """Every hand-written file of the copy but the tests' own scratch."""
    files = {}
    for name in ("overrides", "mock_server", "contract_tests", "cli", "tests", "bench"):
        for path, data in _tree(root / name).items():
            files[str(Path(name, path))] = data
    return files


def _variant(schemas: dict[str, Any], union: str, value: str, name: str, schema: Any) -> None:
    schemas[name] = schema
    ref = f"#/components/schemas/{name}"
    schemas[union]["oneOf"].append({"$ref": ref})
    schemas[union]["discriminator"]["mapping"][value] = ref


def _item_schema(type_: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"A {type_} item.",
        "required": ["id", "object", "created_at", "thread_id", "type", *extra],
        "properties": {
            "id": {"type": "string"},
            "object": {"type": "string", "const": "chatkit.thread_item"},
            "created_at": {"type": "integer"},
            "thread_id": {"type": "string"},
            "type": {"type": "string", "const": type_},
            **extra,
        },
    }


def additive_changes(spec: dict[str, Any]) -> None:
    """One change of every additive kind."""
    schemas = spec["components"]["schemas"]
    # New optional properties (a free-form object, a bounded integer) on existing schemas.
    schemas["ThreadResource"]["properties"]["metadata"] = {
        "type": "object",
        "description": "Free-form labels.",
        "additionalProperties": {"type": "string"},
    }
    schemas["TaskItem"]["properties"]["duration_ms"] = {"type": ["integer", "null"], "minimum": 0}
    # ... one whose Python name differs from its JSON key.
    schemas["ThreadResource"]["properties"]["lastActiveAt"] = {"type": "integer"}
    # A new variant of every union, with required fields of their own.
    _variant(
        schemas,
        "ThreadItem",
        "chatkit.end_of_turn",
        "EndOfTurnItem",
        _item_schema("chatkit.end_of_turn", {"reason": {"type": ["string", "null"]}}),
    )
    _variant(
        schemas,
        "ThreadStatus",
        "on_hold",
        "OnHoldStatus",
        {
            "type": "object",
            "description": "The thread is on hold.",
            "required": ["type", "until"],
            "properties": {
                "type": {"type": "string", "const": "on_hold"},
                "until": {"type": "integer"},
            },
        },
    )
    _variant(
        schemas,
        "UserMessageContent",
        "input_file",
        "InputFileContent",
        {
            "type": "object",
            "description": "A file the user attached inline.",
            "required": ["type", "file_id"],
            "properties": {
                "type": {"type": "string", "const": "input_file"},
                "file_id": {"type": "string"},
            },
        },
    )
    _variant(
        schemas,
        "Annotation",
        "container_file",
        "ContainerFileAnnotation",
        {
            "type": "object",
            "description": "An annotation referencing a container file.",
            "required": ["type", "source"],
            "properties": {
                "type": {"type": "string", "const": "container_file"},
                "source": {"$ref": "#/components/schemas/FileAnnotationSource"},
            },
        },
    )
    # A new enum value, changed bounds and a changed default.
    schemas["AttachmentType"]["enum"].append("audio")
    spec["components"]["parameters"]["Limit"]["schema"].update(maximum=200, default=25)
    threads_get = spec["paths"]["/chatkit/threads"]["get"]
    user = next(p for p in threads_get["parameters"] if p.get("name") == "user")
    user["schema"]["maxLength"] = 1024
    # New optional query parameters.
    threads_get["parameters"] += [
        {"name": "title_prefix", "in": "query", "schema": {"type": "string", "minLength": 1}},
        {"name": "include_archived", "in": "query", "schema": {"type": "boolean"}},
    ]
    items_get = spec["paths"]["/chatkit/threads/{thread_id}/items"]["get"]
    items_get["parameters"].append(
        {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["user", "bot"]}}
    )


PROBE = '''
"""Uses every addition through the public API; run, then checked by mypy --strict."""
# ruff: noqa

import asyncio
import json

import httpx
import pytest

import chatkit_threads
from chatkit_threads import (
    AsyncChatKit,
    ChatKit,
    ContainerFileAnnotation,
    EndOfTurnItem,
    InputFileContent,
    OnHoldStatus,
    ResponseValidationError,
    ThreadItemListResource,
    ThreadResource,
)
from chatkit_threads.types import EndOfTurnItem as TypesEndOfTurnItem

THREAD = {
    "id": "t", "object": "chatkit.thread", "created_at": 1, "title": None,
    "status": {"type": "on_hold", "until": 9}, "user": "u", "metadata": {"k": "v"},
    "lastActiveAt": 7,
}
ITEMS = [
    {"id": "i1", "object": "chatkit.thread_item", "created_at": 1, "thread_id": "t",
     "type": "chatkit.end_of_turn", "reason": None},
    {"id": "i2", "object": "chatkit.thread_item", "created_at": 2, "thread_id": "t",
     "type": "chatkit.user_message",
     "content": [{"type": "input_file", "file_id": "f"}],
     "attachments": [{"id": "a", "mime_type": "audio/ogg", "name": "n", "preview_url": None,
                      "type": "audio"}],
     "inference_options": None},
    {"id": "i3", "object": "chatkit.thread_item", "created_at": 3, "thread_id": "t",
     "type": "chatkit.assistant_message",
     "content": [{"type": "output_text", "text": "x", "annotations": [
         {"type": "container_file", "source": {"type": "file", "filename": "f.txt"}}]}]},
    {"id": "i4", "object": "chatkit.thread_item", "created_at": 4, "thread_id": "t",
     "type": "chatkit.task", "task_type": "custom", "heading": None, "summary": None,
     "duration_ms": 5},
]


def page(data: list[dict[str, object]], more: bool) -> dict[str, object]:
    return {"object": "list", "data": data, "first_id": None, "last_id": data[-1]["id"],
            "has_more": more}


sent: list[httpx.Request] = []


def handler(request: httpx.Request) -> httpx.Response:
    sent.append(request)
    if request.url.path.endswith("/items"):
        return httpx.Response(200, json=page(ITEMS, False))
    if request.url.path.endswith("/threads"):
        more = "after" not in request.url.params
        body = page([dict(THREAD, id="t1" if more else "t2")], more)
        return httpx.Response(200, json=body)
    return httpx.Response(200, json=THREAD)


def check_models(strict: bool) -> None:
    thread = ThreadResource.from_dict(THREAD, strict=strict)
    assert isinstance(thread.status, OnHoldStatus)
    until: int = thread.status.until
    assert until == 9
    assert thread.metadata == {"k": "v"}
    assert thread.last_active_at == 7
    assert ThreadResource.from_dict(dict(THREAD, lastActiveAt=None)).last_active_at is None
    assert thread.to_dict() == THREAD
    items = ThreadItemListResource.from_dict(page(ITEMS, False), strict=strict)
    end = items.data[0]
    assert isinstance(end, EndOfTurnItem) and isinstance(end, TypesEndOfTurnItem)
    assert end.reason is None
    user = items.data[1]
    assert isinstance(user, chatkit_threads.UserMessageItem)
    assert isinstance(user.content[0], InputFileContent)
    assert user.content[0].file_id == "f"
    assistant = items.data[2]
    assert isinstance(assistant, chatkit_threads.AssistantMessageItem)
    text = assistant.content[0]
    assert isinstance(text, chatkit_threads.ResponseOutputText)
    assert isinstance(text.annotations[0], ContainerFileAnnotation)
    task = items.data[3]
    assert isinstance(task, chatkit_threads.TaskItem)
    assert task.duration_ms == 5
    assert items.to_dict() == page(ITEMS, False)


check_models(strict=False)
check_models(strict=True)
for bad, path in [
    (dict(THREAD, metadata=[1]), "$.metadata"),
    (dict(THREAD, status={"type": "on_hold"}), "$.status.until"),
    (dict(THREAD, lastActiveAt="x"), "$.lastActiveAt"),
]:
    with pytest.raises(ResponseValidationError) as info:
        ThreadResource.from_dict(bad, strict=True)
    assert info.value.paths == [path]
bad_task = dict(ITEMS[3], duration_ms=-1)
with pytest.raises(ResponseValidationError):
    ThreadItemListResource.from_dict(page([bad_task], False), strict=True)

client = ChatKit(api_key="sk-test", base_url="https://x.test/v1",
                 http_client=httpx.Client(transport=httpx.MockTransport(handler)), strict=True)
walked = [t.id for t in client.threads.list(limit=150, user="u" * 1000, title_prefix="p",
                                            include_archived=True)]
assert walked == ["t1", "t2"]
assert [dict(r.url.params) for r in sent] == [
    {"limit": "150", "user": "u" * 1000, "title_prefix": "p", "include_archived": "true"},
    {"limit": "150", "user": "u" * 1000, "title_prefix": "p", "include_archived": "true",
     "after": "t1"},
]
raw = client.threads.with_raw_response.list_items("t", kind="bot")
assert raw.http_response.request.url.params["kind"] == "bot"
assert isinstance(raw.parse().data[0], EndOfTurnItem)
for kwargs in ({"limit": 201}, {"user": "u" * 1025}, {"title_prefix": ""}):
    with pytest.raises(ValueError):
        client.threads.list(**kwargs)
with pytest.raises(ValueError, match="kind"):
    client.threads.list_items("t", kind="robot")  # type: ignore[arg-type]
with pytest.raises(TypeError, match="include_archived"):
    client.threads.list(include_archived="yes")  # type: ignore[arg-type]


async def main() -> None:
    aclient = AsyncChatKit(api_key="sk-test", base_url="https://x.test/v1",
                           http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    sent.clear()
    ids = [t.id async for t in aclient.threads.list(include_archived=False)]
    assert ids == ["t1", "t2"]
    assert all(r.url.params["include_archived"] == "false" for r in sent)
    raw = await aclient.threads.with_raw_response.list_items("t", kind="user")
    assert raw.http_response.request.url.params["kind"] == "user"

asyncio.run(main())
print("probe ok", json.dumps(sorted(set(chatkit_threads.__all__) & {
    "EndOfTurnItem", "OnHoldStatus", "InputFileContent", "ContainerFileAnnotation"})))
'''


def test_an_additive_spec_change_needs_no_hand_edit(tmp_path: Path) -> None:
    root = _copy_repository(tmp_path / "repo")
    hand_written_before = _hand_written(root)
    _edit_spec(root, additive_changes)

    generate = _run(root, "scripts/generate")
    assert generate.returncode == 0, generate.stdout + generate.stderr
    check = _run(root, "scripts/generate", "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert _hand_written(root) == hand_written_before
    # The documents rendered from the code came along: api.md lists the new classes,
    # and neither renderer finds anything left to change.
    assert "EndOfTurnItem" in (root / "api.md").read_text()
    for renderer in ("scripts/api-reference", "scripts/render-readme"):
        rendered = _run(root, renderer, "--check")
        assert rendered.returncode == 0, rendered.stdout + rendered.stderr

    probe = root / "probe_additions.py"
    probe.write_text(textwrap.dedent(PROBE))
    ran = _run(root, str(probe))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "EndOfTurnItem" in ran.stdout and "ContainerFileAnnotation" in ran.stdout

    # mypy --strict keeps passing on all the hand-written code (as CI checks it), and
    # sees the new classes, attributes and keyword arguments in the probe.
    typed = _run(
        root,
        "-m",
        "mypy",
        "--strict",
        "overrides/chatkit_threads",
        "mock_server/chatkit_threads_mock",
        "contract_tests/chatkit_threads_contract",
        "cli/chatkit_threads_cli",
        "tests",
        str(probe),
    )
    assert typed.returncode == 0, typed.stdout + typed.stderr

    # Every test but the spec's own (which hold the spec to the reference pages, and a
    # changed bound rightly departs from them): the client, the CLI built on it, the mock
    # server that serves the changed spec, and the contract suite with its variants.
    tests = _run(
        root,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
        "tests/client",
        "tests/cli",
        "tests/mock_server",
        "tests/contract",
        timeout=900,
    )
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]

    contract = _run(
        root,
        "-c",
        "import sys; from chatkit_threads_contract.cli import main; "
        "sys.exit(main(['--suites', 'client']))",
    )
    assert contract.returncode == 0, contract.stdout[-3000:] + contract.stderr[-2000:]


def _remove_property(spec: dict[str, Any]) -> None:
    del spec["components"]["schemas"]["ThreadResource"]["properties"]["title"]
    spec["components"]["schemas"]["ThreadResource"]["required"].remove("title")


def _retype_property(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["ThreadResource"]["properties"]["created_at"] = {"type": "string"}


def _remove_variant(spec: dict[str, Any]) -> None:
    union = spec["components"]["schemas"]["ThreadStatus"]
    union["oneOf"] = [v for v in union["oneOf"] if not v["$ref"].endswith("/ClosedStatus")]
    del union["discriminator"]["mapping"]["closed"]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_remove_property, "ThreadResource.title was removed"),
        (_retype_property, "ThreadResource.created_at changed type (integer -> string)"),
        (_remove_variant, "ThreadStatus: variant 'closed' was removed"),
    ],
)
def test_a_breaking_spec_change_fails_generation_naming_it(
    pipeline_copy: Path, change: Callable[[dict[str, Any]], None], named: str
) -> None:
    before = _tree(pipeline_copy / "generated")
    _edit_spec(pipeline_copy, change)
    result = _run(pipeline_copy, "scripts/generate")
    assert result.returncode == 2
    assert named in result.stderr
    assert "--allow-breaking" in result.stderr
    assert "Traceback" not in result.stderr
    # Nothing was regenerated; the drift check keeps failing until the change is handled.
    assert _tree(pipeline_copy / "generated") == before
    assert _run(pipeline_copy, "scripts/generate", "--check").returncode == 1
    allowed = _run(pipeline_copy, "scripts/generate", "--allow-breaking")
    assert allowed.returncode == 0, allowed.stderr
    assert _run(pipeline_copy, "scripts/generate", "--check").returncode == 0
