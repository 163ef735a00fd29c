"""A server that echoes the API key back as a thread id or a cursor never gets it shown:
not in tables, hints, progress lines, errors, the drift report (text and --json) or
JSON output. A password in the base URL is refused and never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatkit_threads_cli.app import app

from .hostile import KEY, Reply, Request, hostile, message, page, thread


def _echoing(request: Request) -> Reply:
    """Thread ids, item ids, cursors, titles and error messages made of the key."""
    if request.path == "/chatkit/threads":
        if request.query.get("after") == KEY:
            return page([thread("cthr_2", title=KEY)])
        the_thread = thread(KEY, title=f"about {KEY}")
        the_thread["status"] = {"type": KEY}
        return page([the_thread], has_more=True)
    if request.path.endswith("/items"):
        item = message(KEY, KEY, text=KEY)
        item["type"] = KEY  # an unknown variant named by the key
        return page([item], has_more=request.query.get("after") is None)
    if request.method == "DELETE":
        return Reply(404, {"error": {"message": f"no thread {KEY}", "type": "x"}})
    return Reply(body=thread(KEY, title=KEY))


COMMANDS = [
    ("threads", "list"),
    ("threads", "list", "--all"),
    ("threads", "list", "--json"),
    ("threads", "list", "--all", "--jsonl"),
    ("threads", "get", KEY),
    ("threads", "get", KEY, "--json"),
    ("threads", "items", KEY),
    ("threads", "items", KEY, "--json"),
    ("threads", "delete", "--user", "u", "--dry-run"),
    ("threads", "delete", KEY, "--yes"),
    ("spec", "drift", "--threads", "2", "--items-per-thread", "2"),
    ("spec", "drift", "--threads", "2", "--items-per-thread", "2", "--json"),
    ("spec", "drift", "--threads", "2", "--example-width", "0"),
]


@pytest.mark.parametrize("debug", [False, True], ids=["", "debug"])
@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args[:3])[:40])
def test_an_echoed_key_is_never_shown(args: tuple[str, ...], debug: bool) -> None:
    with hostile(_echoing) as server:
        result = server.cli(*(("--debug",) if debug else ()), *args)
    output = result.stdout + result.stderr
    assert KEY[:12] not in output  # nor any part of it, where a column is cut short
    assert result.exit_code in (0, 1), output


def test_export_progress_never_shows_an_echoed_key(tmp_path: Path) -> None:
    with hostile(_echoing) as server:
        result = server.cli("threads", "export", "--out", str(tmp_path / "out"), "-j", "1")
    assert KEY not in result.stdout + result.stderr
    assert "<redacted>" in result.stderr


@pytest.mark.parametrize("debug", [[], ["--debug"]])
@pytest.mark.parametrize("where", ["option", "environment"])
def test_a_password_in_the_base_url_is_refused_and_never_shown(
    where: str, debug: list[str]
) -> None:
    url = "http://someone:pa55w0rd-secret@127.0.0.1:9/v1"
    options = ["--base-url", url] if where == "option" else []
    env = {"OPENAI_BASE_URL": url} if where == "environment" else {}
    result = CliRunner().invoke(
        app, [*options, "--api-key", KEY, *debug, "threads", "list"], env=env
    )
    assert result.exit_code == 2, result.output
    assert "pa55w0rd-secret" not in result.stdout + result.stderr
    assert "must not hold credentials" in result.stderr
