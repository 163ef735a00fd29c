"""Report files a CI keeps: JUnit XML, HAR, NDJSON and a VCR cassette, in `--report-dir`.

Every file carries only what the report holds, and the report holds only redacted
exchanges and messages (see `recording`), so no key or secret header reaches a file.
HAR opens in a browser's network panel; NDJSON is one event a line (the run, each
exchange, each check's tally, each failure, each check not run, the verdict); the VCR
cassette is the exchanges in the format recording libraries replay.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from .recording import Recorded
from .report import ContractReport, write_junit

__all__ = ["FORMATS", "write_reports"]

FORMATS = ("junit", "har", "ndjson", "vcr")
FILE_NAMES = {
    "junit": "junit.xml",
    "har": "exchanges.har",
    "ndjson": "events.ndjson",
    "vcr": "cassette.yaml",
}


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def _mime(headers: list[tuple[str, str]]) -> str:
    return next((v for k, v in headers if k.lower() == "content-type"), "")


def _har_entry(exchange: Recorded) -> dict[str, Any]:
    query = parse_qsl(urlsplit(exchange.url).query, keep_blank_values=True)
    content: dict[str, Any] = {
        "size": len(exchange.response_body),
        "mimeType": _mime(exchange.response_headers),
        "text": exchange.response_body,
    }
    if exchange.response_encoding == "base64":
        content["encoding"] = "base64"
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": exchange.url,
        "httpVersion": "HTTP/1.1",
        "headers": [{"name": k, "value": v} for k, v in exchange.request_headers],
        "queryString": [{"name": k, "value": v} for k, v in query],
        "cookies": [],
        "headersSize": -1,
        "bodySize": len(exchange.request_body),
    }
    if exchange.request_body:
        request["postData"] = {
            "mimeType": _mime(exchange.request_headers),
            "text": exchange.request_body,
        }
    millis = round(exchange.elapsed * 1000, 3)
    return {
        "startedDateTime": _iso(exchange.started),
        "time": millis,
        "request": request,
        "response": {
            "status": exchange.status or 0,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": k, "value": v} for k, v in exchange.response_headers],
            "cookies": [],
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(exchange.response_body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": millis, "receive": 0},
    }


def write_har(report: ContractReport, path: Path) -> None:
    """HAR 1.2: every exchange the server suite made."""
    log = {
        "log": {
            "version": "1.2",
            "creator": {"name": "chatkit-threads-contract", "version": "1"},
            "entries": [_har_entry(exchange) for exchange in report.exchanges],
        }
    }
    path.write_text(json.dumps(log, indent=1), encoding="utf-8")


def _events(report: ContractReport) -> Iterator[dict[str, Any]]:
    yield {"event": "run", "target": report.target, "seed": report.seed}
    for exchange in report.exchanges:
        yield {"event": "exchange", **exchange.as_dict()}
    for (suite, operation, check), tally in sorted(report.tallies.items()):
        yield {
            "event": "check",
            "suite": suite,
            "operation": operation,
            "check": check,
            "passed": tally.passed,
            "failed": tally.failed,
            "seconds": round(report.durations.get((suite, operation, check), 0.0), 6),
        }
    for failure in report.failures:
        yield {"event": "failure", **vars(failure)}
    for item in report.not_run:
        yield {"event": "not_run", **vars(item)}
    for error in report.errors:
        yield {"event": "error", "message": error}
    yield {"event": "finished", "ok": report.ok, "elapsed": round(report.elapsed, 3)}


def write_ndjson(report: ContractReport, path: Path) -> None:
    """One JSON event a line."""
    with path.open("w", encoding="utf-8") as out:
        for event in _events(report):
            out.write(json.dumps(event) + "\n")


def write_vcr(report: ContractReport, path: Path) -> None:
    """A VCR cassette (the format vcrpy and schemathesis' `--report vcr` write)."""
    interactions = [
        {
            "request": {
                "uri": exchange.url,
                "method": exchange.method,
                "headers": {k: [v] for k, v in exchange.request_headers},
                "body": exchange.request_body or None,
            },
            "response": {
                "status": {"code": exchange.status or 0, "message": ""},
                "headers": {k: [v] for k, v in exchange.response_headers},
                "body": {
                    ("base64_string" if exchange.response_encoding == "base64" else "string"): (
                        exchange.response_body
                    )
                },
            },
            "recorded_at": _iso(exchange.started),
            "elapsed": exchange.elapsed,
        }
        for exchange in report.exchanges
    ]
    document = {"http_interactions": interactions, "recorded_with": "chatkit-threads-contract"}
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def write_reports(
    report: ContractReport, formats: tuple[str, ...], directory: Path | str
) -> list[Path]:
    """Write each format into `directory`; returns the files written."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    writers = {"junit": write_junit, "har": write_har, "ndjson": write_ndjson, "vcr": write_vcr}
    written = []
    for name in formats:
        path = folder / FILE_NAMES[name]
        writers[name](report, path)
        written.append(path)
    return written
