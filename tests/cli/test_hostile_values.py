"""Values a hostile server sends stay harmless: escape sequences never reach the
terminal raw from the human-readable commands (JSON output keeps them, escaped), a lone
surrogate fails no command, and 1e400/NaN never make export write something that is
not JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from chatkit_threads_cli.jsontext import dump_line, dumps
from chatkit_threads_cli.terminal import safe

from .hostile import Reply, Request, hostile, message, not_found, page, thread

# Clear screen, a window title (OSC 0), an OSC 8 link, a C1 CSI, a bidi override, a bell.
NASTY = (
    "\x1b[2J\x1b[H"
    "\x1b]0;owned\x07"
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
    "\x9b31m"
    "\u202egnp.exe"
    "\x07"
)
SURROGATE = "\ud800"


def _unsafe(text: str) -> list[str]:
    """The characters of ``text`` that could drive a terminal."""
    return [
        ch
        for ch in text
        if (ord(ch) < 32 and ch not in "\n\t")
        or 0x7F <= ord(ch) <= 0x9F
        or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        or 0xD800 <= ord(ch) <= 0xDFFF
    ]


def _serving(value: str) -> Any:
    """A server whose one thread and its one item carry ``value`` everywhere."""
    the_thread = thread("cthr_x", title=f"title {value}")
    the_thread["user"] = f"user {value}"
    item = message("cthi_x", "cthr_x", text=f"text {value}")

    def handler(request: Request) -> Reply:
        if request.path == "/chatkit/threads":
            return page([the_thread])
        if request.path == "/chatkit/threads/cthr_x":
            if request.method == "DELETE":
                return Reply(404, {"error": {"message": f"gone {value}", "type": "x"}})
            return Reply(body=the_thread)
        if request.path == "/chatkit/threads/cthr_x/items":
            return page([item])
        return Reply(404, {"error": {"message": f"no {value}", "type": "x"}})

    return handler


HUMAN = [
    ("threads", "list"),
    ("threads", "list", "--all"),
    ("threads", "get", "cthr_x"),
    ("threads", "items", "cthr_x"),
    ("threads", "get", "cthr_missing"),
    ("threads", "delete", "--user", "u", "--dry-run"),
    ("threads", "delete", "cthr_x", "--yes"),
]


@pytest.mark.parametrize("args", HUMAN, ids=lambda args: " ".join(args[1:]))
@pytest.mark.parametrize("value", [NASTY, SURROGATE], ids=["escapes", "surrogate"])
def test_human_output_neutralises_what_the_server_sent(args: tuple[str, ...], value: str) -> None:
    with hostile(_serving(value)) as server:
        result = server.cli(*args, input="n\n")
    assert result.exit_code in (0, 1), result.output  # never a usage error (2)
    assert not _unsafe(result.stdout + result.stderr)
    assert "\ufffd" in result.stdout + result.stderr  # shown, as a replacement character


def test_the_delete_preview_is_neutralised_before_the_prompt() -> None:
    with hostile(_serving(NASTY)) as server:
        result = server.cli("threads", "delete", "--user", "u", input="n\n")
    assert result.exit_code == 0, result.output
    assert "Nothing deleted." in result.stdout
    assert not _unsafe(result.stdout + result.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ("threads", "list", "--json"),
        ("threads", "get", "cthr_x", "--json"),
        ("threads", "items", "cthr_x", "--jsonl"),
    ],
)
@pytest.mark.parametrize("value", [NASTY, SURROGATE], ids=["escapes", "surrogate"])
def test_json_output_keeps_the_data(args: tuple[str, ...], value: str) -> None:
    with hostile(_serving(value)) as server:
        result = server.cli(*args)
    assert result.exit_code == 0, result.output
    assert not _unsafe(result.stdout)  # escaped by JSON...
    lines = result.stdout.splitlines() if args[-1] == "--jsonl" else [result.stdout]
    decoded = json.loads(lines[0])
    record = decoded[0] if isinstance(decoded, list) else decoded
    found = record.get("title") or record["content"][0]["text"]
    assert found.endswith(value)  # ...and all there


@pytest.mark.parametrize("layout", ["dir", "all.jsonl"])
def test_export_finishes_with_a_lone_surrogate_and_keeps_it(tmp_path: Path, layout: str) -> None:
    out = tmp_path / layout
    with hostile(_serving(SURROGATE)) as server:
        result = server.cli("threads", "export", "--out", str(out), "--markdown")
    assert result.exit_code == 0, result.output
    files = (
        [out]
        if layout.endswith(".jsonl")
        else [p for p in out.glob("*.jsonl") if p.name != "manifest.jsonl"]
    )
    (data,) = files
    records = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines()]
    assert records[0]["title"] == f"title {SURROGATE}"
    assert records[1]["content"][0]["text"] == f"text {SURROGATE}"


def _numbers(request: Request) -> Reply:
    if request.path == "/chatkit/threads":
        return Reply(
            raw=b'{"object":"list","data":[{"id":"cthr_n","object":"chatkit.thread",'
            b'"created_at":1e400,"title":"t","status":{"type":"active"},"user":"u",'
            b'"extra":[NaN,-1e400,1.5]}],"first_id":"cthr_n","last_id":"cthr_n","has_more":false}'
        )
    if request.path.endswith("/items"):
        return page([])
    return not_found()


def _refuse(name: str) -> object:
    pytest.fail(f"{name} is not JSON")


@pytest.mark.parametrize("layout", ["dir", "all.jsonl"])
def test_export_writes_json_whatever_the_numbers(tmp_path: Path, layout: str) -> None:
    out = tmp_path / layout
    with hostile(_numbers) as server:
        result = server.cli("threads", "export", "--out", str(out))
    assert result.exit_code == 0, result.output
    for path in [out] if layout.endswith(".jsonl") else out.glob("*.jsonl"):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            # Strict JSON: Python's reader accepts Infinity and NaN unless told not to.
            json.loads(line, parse_constant=_refuse)
    data = (
        out
        if layout.endswith(".jsonl")
        else next(p for p in out.glob("*.jsonl") if p.name != "manifest.jsonl")
    )
    record = json.loads(data.read_text(encoding="utf-8").splitlines()[0])
    assert record["created_at"] == math.inf  # 1e999: read back as the same infinity
    assert (
        record["extra"][0] is None and record["extra"][1] == -math.inf and record["extra"][2] == 1.5
    )


def test_jsontext_round_trips() -> None:
    value = {"a": SURROGATE + "é", "b": [math.inf, -math.inf, math.nan, 1.0], "c": "\x1b"}
    line = dump_line(value)
    line.decode("utf-8")  # valid UTF-8
    back = json.loads(line)
    assert back == {"a": SURROGATE + "é", "b": [math.inf, -math.inf, None, 1.0], "c": "\x1b"}
    assert json.loads(dumps(value, indent=2)) == back


def test_safe_keeps_text_and_replaces_controls() -> None:
    assert safe("héllo\tworld\n✓") == "héllo\tworld\n✓"
    assert not _unsafe(safe(NASTY + SURROGATE))


def _drifting(value: str) -> Any:
    """A server whose thread's title is a list holding ``value`` (a departure)."""
    the_thread = thread("cthr_x")
    the_thread["title"] = [f"title {value}"]
    the_thread["status"] = {"type": f"odd {value}"}

    def handler(request: Request) -> Reply:
        if request.path == "/chatkit/threads":
            return page([the_thread])
        if request.path == "/chatkit/threads/cthr_x":
            return Reply(body=the_thread)
        return page([message("cthi_x", "cthr_x", text=value)])

    return handler


@pytest.mark.parametrize("value", [NASTY, SURROGATE], ids=["escapes", "surrogate"])
def test_the_drift_report_neutralises_what_the_server_sent(value: str, tmp_path: Path) -> None:
    record = tmp_path / "drift.jsonl"
    with hostile(_drifting(value)) as server:
        shown = server.cli(
            "spec", "drift", "--threads", "1", "--show-text", "--example-width", "200",
            "--record", str(record),
        )  # fmt: skip
        listed = server.cli("spec", "drift", "--threads", "1", "--json", "--show-text")
    assert shown.exit_code == 1, shown.output  # drift found; never a usage error
    assert not _unsafe(shown.stdout + shown.stderr)
    assert "\ufffd" in shown.stdout
    assert listed.exit_code == 1, listed.output
    assert not _unsafe(listed.stdout)
    rows = json.loads(listed.stdout)
    assert {row["path"] for row in rows} >= {"$.data[*].title", "$.data[*].status.type"}
    recorded = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert recorded[0]["title"] == [f"title {value}"]  # recorded as received
