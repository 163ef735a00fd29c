"""The spec validates, its examples conform, and the pages' examples conform or drift as noted."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatkit_threads_contract.spec import SPEC_PATH, lint_spec, load_spec, schema_validator

from .conftest import ROOT, reference_examples

OPERATIONS = {
    ("get", "/chatkit/threads"): "listThreads",
    ("get", "/chatkit/threads/{thread_id}"): "retrieveThread",
    ("delete", "/chatkit/threads/{thread_id}"): "deleteThread",
    ("get", "/chatkit/threads/{thread_id}/items"): "listThreadItems",
}


def _operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        op["operationId"]: op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method != "parameters"
    }


def _drift(component: str, example: Any) -> set[str]:
    validator = schema_validator({"$ref": f"#/components/schemas/{component}"})
    found = set()
    for error in validator.iter_errors(example):
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        if error.validator == "required":
            missing = error.message.split("'")[1]
            found.add(f"{where}: required {missing}")
        else:
            found.add(f"{where}: {error.validator}")
    return found


def test_packaged_spec_is_the_repository_spec() -> None:
    assert SPEC_PATH.read_bytes() == (ROOT / "openapi" / "chatkit-threads.yaml").read_bytes()


def test_spec_validates_and_every_example_in_it_matches_its_schema() -> None:
    assert lint_spec() == []


def test_lint_names_an_example_that_does_not_match(tmp_path: Path) -> None:
    spec = yaml.safe_load(SPEC_PATH.read_text())
    examples = spec["paths"]["/chatkit/threads/{thread_id}"]["get"]["responses"]["200"]
    examples["content"]["application/json"]["examples"]["active_thread"]["value"]["status"] = {
        "type": "archived"
    }
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(spec))
    problems = lint_spec(broken)
    assert len(problems) == 1
    assert "GET /chatkit/threads/{thread_id} 200" in problems[0]
    assert "'active_thread'" in problems[0]
    assert "at status" in problems[0]


def test_lint_reports_an_invalid_document(tmp_path: Path) -> None:
    spec = yaml.safe_load(SPEC_PATH.read_text())
    del spec["info"]["title"]
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(spec))
    problems = lint_spec(broken)
    assert len(problems) == 1
    assert problems[0].startswith("invalid OpenAPI document")


def test_all_four_operations_with_readable_ids() -> None:
    spec = load_spec()
    found = {
        (method, path): op["operationId"]
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method != "parameters"
    }
    assert found == OPERATIONS
    for op in _operations(spec).values():
        assert op["summary"] and op["description"]


def _reference_pages() -> Path:
    """The API's reference pages, or a skip where they are not beside the checkout."""
    pages = ROOT.parent / "shared" / "api-reference"
    if not pages.is_dir():
        pytest.skip(
            f"reference pages not present at {pages} (they sit beside the repository in CI)"
        )
    return pages


def _documented_headers() -> set[tuple[str, str]]:
    """The headers the reference pages' curl examples send, but for the key."""
    pages = _reference_pages()
    text = "\n".join(page.read_text() for page in sorted(pages.glob("*.txt")))
    found = set(re.findall(r"""-H ['"]([\w-]+): ([^'"]+)['"]""", text))
    return {(name, value) for name, value in found if name != "Authorization"}


def test_the_beta_header_is_the_one_the_reference_pages_send() -> None:
    beta = load_spec()["components"]["parameters"]["OpenAIBeta"]
    assert (beta["in"], beta["required"]) == ("header", True)
    [value] = beta["schema"]["enum"]
    assert _documented_headers() == {(beta["name"], value)}


def test_every_operation_sends_the_beta_header_and_uses_bearer_auth() -> None:
    spec = load_spec()
    for op in _operations(spec).values():
        assert {"$ref": "#/components/parameters/OpenAIBeta"} in op["parameters"]
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }


def test_query_parameters_carry_their_documented_bounds() -> None:
    params = load_spec()["components"]["parameters"]
    assert params["Limit"]["schema"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 100,
        "default": 20,
    }
    order = load_spec()["components"]["schemas"]["SortOrder"]
    assert (order["enum"], order["default"]) == (["asc", "desc"], "desc")
    list_threads = _operations(load_spec())["listThreads"]
    user = next(p for p in list_threads["parameters"] if p.get("name") == "user")
    assert (user["schema"]["minLength"], user["schema"]["maxLength"]) == (1, 512)
    items = _operations(load_spec())["listThreadItems"]
    assert all(p.get("name") != "user" for p in items["parameters"])


def test_error_envelope_on_every_documented_error_status() -> None:
    for op_id, op in _operations(load_spec()).items():
        expected = {"400", "401", "429", "5XX"} | ({"404"} if op_id != "listThreads" else set())
        assert expected <= set(op["responses"]), op_id
        for status in expected:
            assert op["responses"][status]["$ref"].startswith("#/components/responses/")
    for response in load_spec()["components"]["responses"].values():
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}


def test_every_discriminator_maps_every_variant() -> None:
    schemas = load_spec()["components"]["schemas"]
    unions = {name: s for name, s in schemas.items() if "discriminator" in s}
    # Every oneOf of objects is a discriminated union (the client dispatches on `type`).
    assert set(unions) == {name for name, s in schemas.items() if "oneOf" in s}
    assert {
        "ThreadStatus",
        "ThreadItem",
        "UserMessageContent",
        "AssistantMessageContent",
        "Annotation",
    } <= set(unions)
    for name, union in unions.items():
        variants = {v["$ref"] for v in union["oneOf"]}
        mapping = union["discriminator"]["mapping"]
        assert set(mapping.values()) == variants, name
        for value, ref in mapping.items():
            variant = schemas[ref.rsplit("/", 1)[1]]
            assert variant["properties"]["type"]["const"] == value, (name, value)


def test_links_chain_list_retrieve_items_delete() -> None:
    ops = _operations(load_spec())
    targets = {
        op_id: {link["operationId"] for link in op["responses"]["200"]["links"].values()}
        for op_id, op in ops.items()
        if "links" in op["responses"]["200"]
    }
    assert targets == {
        "listThreads": {"retrieveThread", "listThreadItems", "deleteThread"},
        "retrieveThread": {"listThreadItems", "deleteThread"},
        "deleteThread": {"retrieveThread", "listThreadItems"},
    }


@pytest.mark.parametrize("entry", reference_examples(), ids=lambda e: e["name"])
def test_reference_page_examples_conform_or_drift_as_recorded(entry: dict[str, Any]) -> None:
    drift = _drift(entry["component"], entry["example"])
    if entry["conforms"]:
        assert drift == set()
    else:
        assert drift == set(entry["expected_errors"]), entry["reason"]


def test_unprefixed_item_types_are_the_drift_in_page_003() -> None:
    entry = next(e for e in reference_examples() if e["name"] == "list_items_unprefixed_example")
    types = [item["type"] for item in entry["example"]["data"]]
    assert types == ["user_message", "assistant_message"]
    mapping = load_spec()["components"]["schemas"]["ThreadItem"]["discriminator"]["mapping"]
    assert all(f"chatkit.{t}" in mapping and t not in mapping for t in types)


def test_fixtures_are_verbatim_copies_of_the_reference_pages() -> None:
    pages = _reference_pages()
    import json

    decoder = json.JSONDecoder()
    for entry in reference_examples():
        text = (pages / entry["page_file"]).read_text()
        found = []
        index = text.find("{")
        while index != -1:
            try:
                value, end = decoder.raw_decode(text, index)
                found.append(value)
                index = text.find("{", end)
            except ValueError:
                index = text.find("{", index + 1)
        assert entry["example"] in found, entry["name"]


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "lint-spec")],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _items_examples(spec: dict[str, Any]) -> dict[str, Any]:
    response = spec["paths"]["/chatkit/threads/{thread_id}/items"]["get"]["responses"]["200"]
    examples: dict[str, Any] = response["content"]["application/json"]["examples"]
    return examples


def test_lint_passes_on_the_spec() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_lint_names_list_examples_whose_cursors_do_not_match_their_data(
    pipeline_copy: Path,
) -> None:
    path = pipeline_copy / "openapi" / "chatkit-threads.yaml"
    spec = yaml.safe_load(path.read_text())
    value = _items_examples(spec)["every_item_type"]["value"]
    value["first_id"] = "first_id"
    value["last_id"] = value["data"][0]["id"]
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    result = _lint(pipeline_copy)
    assert result.returncode == 1
    assert "'every_item_type': first_id is 'first_id' but the first entry's id is " in (
        result.stdout
    )
    assert "last_id is 'cthi_user_001' but the last entry's id is 'cthi_group_006'" in (
        result.stdout
    )


def test_lint_names_items_of_another_thread_than_the_operations_example(
    pipeline_copy: Path,
) -> None:
    path = pipeline_copy / "openapi" / "chatkit-threads.yaml"
    spec = yaml.safe_load(path.read_text())
    _items_examples(spec)["user_message"]["value"]["data"][0]["thread_id"] = "thread_id"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    result = _lint(pipeline_copy)
    assert result.returncode == 1
    assert (
        "'user_message': data[0].thread_id is 'thread_id' but the operation's example "
        "thread_id is 'cthr_abc123'"
    ) in result.stdout


def test_url_fields_are_uris() -> None:
    schemas = load_spec()["components"]["schemas"]
    assert schemas["Attachment"]["properties"]["preview_url"]["format"] == "uri"
    assert schemas["UrlAnnotationSource"]["properties"]["url"]["format"] == "uri"
