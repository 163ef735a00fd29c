"""The suite outside the happy path: other specs, remote targets, empty, rate-limiting,
unreachable and hanging servers, single operations and phases, reproducers, pacing."""

from __future__ import annotations

import re
import socket
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from chatkit_threads_contract import adapter, cli
from chatkit_threads_contract.contract import SpecContract, load_contract
from chatkit_threads_contract.followup import Followup, RunTarget, targeting
from chatkit_threads_contract.pacing import parse_rate, retry_delay
from chatkit_threads_contract.runner import ContractOptions, run_server_contract
from chatkit_threads_contract.spec import SPEC_PATH
from chatkit_threads_mock import ThreadStore, apply_seed, create_app

from .servers import KEY, KEYS, mock_app, serve
from .variants import VARIANTS

ROOT = Path(__file__).resolve().parents[2]
OPENAI_SPEC = Path(__file__).parent / "fixtures" / "openai-chatkit-threads.yaml"
FAST = ("--suites", "server", "--max-examples", "3", "--seed", "11")


def _remote(base_url: str) -> str:
    """The same server, addressed as IPv4-mapped IPv6: not loopback, so not local to the suite."""
    return base_url.replace("127.0.0.1", "[::ffff:127.0.0.1]")


def _deleted(out: str) -> list[str]:
    found = re.search(r"deleted \d+: (.*)", out)
    assert found, out
    return [] if found.group(1) == "none" else found.group(1).split(", ")


def _differently_bounded(ours: SpecContract, theirs: SpecContract) -> set[str]:
    """The query parameters the two documents bound differently."""
    bounds = {"limit": ("limit_min", "limit_max"), "user": ("user_max_length",)}
    return {
        name
        for name, facts in bounds.items()
        if any(getattr(ours, fact) != getattr(theirs, fact) for fact in facts)
    }


def test_openai_published_spec_runs_and_reports_its_gaps_apart(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """OpenAI's document (other operation ids, `ApiKeyAuth`, no beta header, no errors)."""
    with serve(mock_app()) as base_url:
        args = [*FAST, "--base-url", _remote(base_url), "--api-key", KEY, "--allow-destructive"]
        status = cli.main([*args, "--spec", str(OPENAI_SPEC)])
    out = capsys.readouterr().out
    spec_part = out.split("Findings about the spec (not the server)")[1].split("\n\n")[0]
    assert "OpenAI-Beta" in spec_part
    assert "declare no error responses" in spec_part
    # The mock follows the bundled spec: where that bounds a parameter otherwise than the
    # published one, the published one's negative cases are rightly failures, and the
    # only ones.
    differing = _differently_bounded(load_contract(SPEC_PATH), load_contract(OPENAI_SPEC))
    if not differing:
        assert status == 0, out
        assert "FAIL " not in out
    else:
        failing = set(re.findall(r"FAIL (\w+)", out))
        named = set(re.findall(r"Invalid component: parameter `(\w+)`", out))
        assert failing <= {"negative_data_rejection"} and named <= differing, out
    assert "[server] DELETE /chatkit/threads/{thread_id}" in out
    assert "ok   list_walk_complete" in out


def test_another_spec_file_drives_the_checks(tmp_path: Path) -> None:
    """Bounds, orders and the beta header value come from the spec under test."""
    document = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    parameters = document["components"]["parameters"]
    parameters["Limit"]["schema"].update(maximum=40, default=7)
    parameters["OpenAIBeta"]["schema"]["enum"] = ["chatkit_beta=v2"]
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(document), encoding="utf-8")
    contract = load_contract(changed)
    assert (contract.limit_max, contract.limit_default) == (40, 7)
    assert list(contract.fixed_headers.values()) == ["chatkit_beta=v2"]
    with targeting(RunTarget("http://127.0.0.1:1/v1", contract)) as target:
        follow = Followup("http://127.0.0.1:1/v1/chatkit/threads", {}, target)
        assert follow.headers["OpenAI-Beta"] == "chatkit_beta=v2"


def test_operations_are_named_by_the_spec_under_test(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--spec", str(OPENAI_SPEC), "--operations", "listThreads"])
    assert exit_info.value.code == 2
    assert "ListThreadsMethod" in capsys.readouterr().err


def test_destructive_run_against_a_remote_address_passes_and_lists_deletions_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with serve(mock_app()) as base_url:
        status = cli.main(
            [*FAST, "--base-url", _remote(base_url), "--api-key", KEY, "--allow-destructive"]
        )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "ERROR" not in out and "Hook Error" not in out
    deleted = _deleted(out)
    assert deleted and len(deleted) == len(set(deleted))
    assert "only threads the suite saw listed" in out


def test_own_local_server_is_not_deleted_from_without_asking() -> None:
    store = ThreadStore()
    apply_seed(store, "default", KEYS)
    with serve(create_app(store, api_keys=KEYS)) as base_url:
        report = run_server_contract(
            ContractOptions(base_url=base_url, api_key=KEY, max_examples=3)
        )
        deleted = run_server_contract(
            ContractOptions(base_url=base_url, api_key=KEY, max_examples=3, allow_destructive=True)
        )
    assert report.ok, report.not_run
    assert any(n.check == "deleted_thread_vanishes" and n.excused for n in report.not_run)
    assert not any(n.check == "deleted_thread_vanishes" for n in deleted.not_run)


def test_a_server_emptied_by_a_previous_run_does_not_pass_silently(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with serve(mock_app()) as base_url:
        args = [*FAST, "--base-url", base_url, "--api-key", KEY, "--allow-destructive"]
        assert cli.main(args) == 0
        capsys.readouterr()
        status = cli.main(args)
    out = capsys.readouterr().out
    assert status == 1, out
    assert "NOT RUN [server] list_cursors_exclusive: the server listed no threads" in out
    assert "checks could not run" in out and "FAILED" in out


def test_a_rate_limiting_server_passes_and_the_waits_are_counted() -> None:
    store = ThreadStore()
    apply_seed(store, "default", KEYS)
    app = create_app(store, api_keys=KEYS, faults="429=0.1,retry-after=0.01,seed=3")
    with serve(app) as base_url:
        report = run_server_contract(
            ContractOptions(
                base_url=base_url,
                api_key=KEY,
                max_examples=3,
                seed=5,
                allow_destructive=True,
                rate_limit="1000/s",
            )
        )
    assert report.ok, report.failures[:2]
    waits = next(line for line in report.coverage if line.startswith("rate limiting"))
    retried = int(waits.split(": ")[1].split()[0])
    assert retried > 0, waits


def test_an_unreachable_target_is_one_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    status = cli.main([*FAST, "--base-url", f"http://127.0.0.1:{port}/v1", "--api-key", KEY])
    out = capsys.readouterr().out
    assert status == 1
    assert out.count("ERROR:") == 1 and "cannot reach" in out


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_a_hanging_target_is_bounded_by_the_request_timeout(
    silent_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    base_url = f"http://127.0.0.1:{silent_port}/v1"
    status = cli.main([*FAST, "--base-url", base_url, "--api-key", KEY, "--request-timeout", "0.5"])
    out = capsys.readouterr().out
    assert status == 1
    assert "did not answer within 0.5s" in out


@pytest.mark.parametrize(
    "operation", ["listThreads", "retrieveThread", "listThreadItems", "deleteThread"]
)
def test_any_single_operation_runs(operation: str, capsys: pytest.CaptureFixture[str]) -> None:
    with serve(mock_app()) as base_url:
        args = [*FAST, "--base-url", base_url, "--api-key", KEY, "--allow-destructive"]
        status = cli.main([*args, "--operations", operation])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "Missing Open API links" not in out


@pytest.mark.parametrize("phases", ["stateful", "examples", "fuzzing,stateful", "coverage"])
def test_any_subset_of_phases_runs(phases: str, capsys: pytest.CaptureFixture[str]) -> None:
    with serve(mock_app()) as base_url:
        status = cli.main([*FAST, "--base-url", base_url, "--api-key", KEY, "--phases", phases])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "Coverage" in out and "stateful links followed" in out


def test_a_followup_failure_is_reproduced_with_the_followup_request() -> None:
    variant = VARIANTS["inclusive_after_cursor"]
    with serve(variant.build()) as base_url:
        report = run_server_contract(
            ContractOptions(
                base_url=base_url,
                api_key=KEY,
                max_examples=variant.max_examples,
                seed=1234,
                phases=variant.phases,
            )
        )
    shown = [f for f in report.failures if f.check == "list_cursors_exclusive"]
    assert shown
    for failure in shown:
        assert failure.reproduction.startswith("curl -X GET"), failure.reproduction
        assert "after=" in failure.reproduction and "limit=1" in failure.reproduction
        assert KEY not in failure.reproduction


def test_retry_delay_follows_the_server() -> None:
    assert retry_delay({"retry-after-ms": "250", "Retry-After": "9"}, 0) == 0.25
    assert retry_delay({"Retry-After": "2"}, 0) == 2.0
    assert retry_delay({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0) == 0.0
    assert retry_delay({}, 0) < retry_delay({}, 2)
    assert retry_delay({"Retry-After": "99999"}, 0) <= 60


def test_rate_limit_format() -> None:
    assert parse_rate("10/s") == pytest.approx(0.1)
    assert parse_rate("120/m") == pytest.approx(0.5)
    with pytest.raises(ValueError, match="N/s"):
        parse_rate("fast")


def test_the_adapter_pins_the_same_schemathesis_as_the_project() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [
        d for group in project["project"].get("optional-dependencies", {}).values() for d in group
    ]
    pins += project["project"].get("dependencies", [])
    assert f"schemathesis=={adapter.PINNED_VERSION}" in pins


def test_spec_by_url(capsys: pytest.CaptureFixture[str]) -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    text = OPENAI_SPEC.read_text(encoding="utf-8")

    async def document(request: object) -> PlainTextResponse:
        return PlainTextResponse(text, media_type="application/yaml")

    with serve(Starlette(routes=[Route("/v1/openapi.yaml", document)])) as base_url:
        contract = load_contract(f"{base_url}/openapi.yaml")
    assert contract.by_id("ListThreadsMethod") is not None
    assert contract.source.endswith("/openapi.yaml")


def test_an_unusable_spec_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {/pets: {}}\n")
    for spec in (str(other), str(tmp_path / "missing.yaml")):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["--spec", spec])
        assert exit_info.value.code == 2
        assert "--spec" in capsys.readouterr().err


def test_links_stay_within_the_selected_operations() -> None:
    from chatkit_threads_contract.gaps import document_for

    bundled = load_contract()
    assert document_for(bundled, bundled.operation_ids())[1] > 0
    for single in bundled.operation_ids():
        assert document_for(bundled, (single,))[1] == 0
    openai = load_contract(OPENAI_SPEC)
    assert not openai.has_links
    linked, count = document_for(openai, openai.operation_ids())
    assert count > 0
    listing = linked["paths"]["/chatkit/threads"]["get"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in listing.values()} == {
        "GetThreadMethod",
        "ListThreadItemsMethod",
        "DeleteThreadMethod",
    }


def test_a_server_that_only_rate_limits_is_not_judged_on_its_429s() -> None:
    store = ThreadStore()
    apply_seed(store, "default", KEYS)
    app = create_app(store, api_keys=KEYS, faults="429=1,retry-after=0.001")
    with serve(app) as base_url:
        report = run_server_contract(
            ContractOptions(
                base_url=base_url,
                api_key=KEY,
                max_examples=1,
                seed=5,
                operations=("listThreads",),
                phases=("examples",),
            )
        )
    assert not report.ok
    assert report.failures == []
    assert any("still answered 429" in line for line in report.coverage), report.coverage


def test_listing_parameters_are_found_by_their_rules_not_their_names(tmp_path: Path) -> None:
    """A spec that renames the page size and the cursors: the suite follows its names."""
    document = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    parameters = document["components"]["parameters"]
    for key, new in (
        ("Limit", "page_size"),
        ("After", "starting_after"),
        ("Before", "ending_before"),
    ):
        parameters[key]["name"] = new
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(yaml.safe_dump(document), encoding="utf-8")
    contract = load_contract(renamed)
    assert contract.wire("limit") == "page_size"
    assert (contract.wire("after"), contract.wire("before")) == ("starting_after", "ending_before")
    assert contract.limit_max == load_contract().limit_max
    assert contract.on_wire({"limit": 5, "after": "x"}) == {"page_size": 5, "starting_after": "x"}
    assert contract.by_role({"page_size": "5", "other": "y"}) == {"limit": "5", "other": "y"}
