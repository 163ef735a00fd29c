"""Rendering of payloads that depart from the spec: unknown item, content and annotation
types, unprefixed types, missing fields, opaque strings; and --strict refusing them."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console

from chatkit_threads_cli.markdown import transcript
from chatkit_threads_cli.records import parse_item, parse_thread
from chatkit_threads_cli.render import item_panel

from .conftest import Cli, drifting_server

THREAD = "cthr_drift"
DRIFTING: list[dict[str, Any]] = [
    # The second example of the list-items page: no prefix, fields missing.
    {"id": "cthi_1", "type": "user_message", "content": [{"type": "input_text", "text": "hello"}]},
    {
        "id": "cthi_2",
        "object": "chatkit.thread_item",
        "created_at": 1730000000,
        "thread_id": THREAD,
        "type": "chatkit.assistant_message",
        "content": [
            {
                "type": "output_text",
                "text": "see [this]",
                "annotations": [{"type": "citation", "quote": "q"}],
            },
            {"type": "output_image", "url": "https://img.example.com/1.png"},
        ],
    },
    {"id": "cthi_3", "object": "chatkit.thread_item", "type": "chatkit.audio", "seconds": 12},
    {
        "id": "cthi_4",
        "object": "chatkit.thread_item",
        "created_at": 1730000010,
        "thread_id": THREAD,
        "type": "chatkit.client_tool_call",
        "name": "shell",
        "call_id": "call_1",
        "arguments": "not json at all",
        "output": None,
        "status": "in_progress",
    },
    {"id": "cthi_5", "type": "widget", "widget": "<Card/>"},
]


@pytest.fixture
def drifting_cli() -> Iterator[Cli]:
    yield from drifting_server(DRIFTING)()


def render(item: dict[str, Any]) -> str:
    console = Console(record=True, width=100, file=io.StringIO())
    console.print(item_panel(parse_item(item)))
    return console.export_text()


def test_unprefixed_item_with_missing_fields_renders() -> None:
    out = render(DRIFTING[0])
    assert "user" in out and "hello" in out and "cthi_1" in out
    assert "?" in out  # the missing created_at


def test_unknown_content_and_annotation_are_shown_raw() -> None:
    out = render(DRIFTING[1])
    assert "see [this]" in out  # not taken for markup
    assert "'citation' (unknown annotation)" in out
    assert "unknown content type 'output_image'" in out
    assert "https://img.example.com/1.png" in out


def test_unknown_item_type_is_shown_raw() -> None:
    out = render(DRIFTING[2])
    assert "unknown item type 'chatkit.audio'" in out
    assert '"seconds": 12' in out


def test_opaque_strings_are_shown_as_they_are() -> None:
    assert "not json at all" in render(DRIFTING[3])
    assert "<Card/>" in render(DRIFTING[4])


def test_items_command_renders_drifting_payloads(drifting_cli: Cli) -> None:
    result = drifting_cli("threads", "items", THREAD)
    assert result.exit_code == 0, result.output
    for expected in ("hello", "unknown item type 'chatkit.audio'", "not json at all", "<Card/>"):
        assert expected in result.stdout
    # --json gives back exactly what the server sent
    raw = drifting_cli("threads", "items", THREAD, "--json")
    assert json.loads(raw.stdout) == DRIFTING


def test_strict_turns_drift_into_an_error(drifting_cli: Cli) -> None:
    result = drifting_cli("--strict", "threads", "items", THREAD)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "does not match the spec (--strict)" in lines[0]
    assert "and 10 more (--debug shows all)" in lines[0]
    assert "$.data[0]" in lines[0]


def test_markdown_transcript_of_drifting_items() -> None:
    thread = parse_thread({"id": THREAD, "title": None, "status": {"type": "paused"}})
    text = "\n".join(transcript(thread, [parse_item(item) for item in DRIFTING]))
    assert text.startswith("# (untitled)\n")
    assert "- status: paused" in text
    assert "## unknown item type 'chatkit.audio'" in text
    assert "```json" in text


def test_markdown_fence_survives_backticks_in_payloads() -> None:
    thread = parse_thread({"id": THREAD, "title": "t", "status": {"type": "active"}})
    widget = {"id": "w", "type": "chatkit.widget", "widget": "```\nbreak out\n```"}
    lines = list(transcript(thread, [parse_item(widget)]))
    assert "````json" in lines and lines.count("````") == 1


class _NewVariant:
    """A model of a variant the spec gained after the CLI's views were written."""

    type_ = "chatkit.poll"

    def to_dict(self) -> dict[str, Any]:
        return {"id": "cthi_poll", "type": self.type_, "question": "lunch?"}


def test_a_variant_without_a_view_is_shown_as_its_json() -> None:
    from chatkit_threads_cli.items import describe_item

    view = describe_item(_NewVariant())
    assert view.title == "item type 'chatkit.poll'"
    assert [block.kind for block in view.blocks] == ["json"]
    assert json.loads(str(view.blocks[0].content)) == _NewVariant().to_dict()
