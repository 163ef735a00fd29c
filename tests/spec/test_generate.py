"""scripts/generate is deterministic, its --check catches drift, and the output works."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatkit_threads import ResponseValidationError
from chatkit_threads_contract.spec import iter_examples, load_spec

from .conftest import ROOT, reference_examples

PACKAGE = "chatkit_threads_api"


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "generate"), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_generated_package_is_up_to_date_with_the_spec() -> None:
    result = _run(ROOT, "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_changing_one_byte_of_a_generated_file_fails_the_check(pipeline_copy: Path) -> None:
    target = pipeline_copy / "generated" / PACKAGE / "models" / "thread_resource.py"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    result = _run(pipeline_copy, "--check")
    assert result.returncode == 1
    assert "changed:  models/thread_resource.py" in result.stdout
    assert result.stdout.count("changed:") == 1


def test_an_extra_or_missing_generated_file_fails_the_check(pipeline_copy: Path) -> None:
    package = pipeline_copy / "generated" / PACKAGE
    (package / "models" / "widget_item.py").unlink()
    (package / "models" / "hand_written.py").write_text("x = 1\n")
    result = _run(pipeline_copy, "--check")
    assert result.returncode == 1
    assert "missing:  models/widget_item.py" in result.stdout
    assert "extra:    models/hand_written.py" in result.stdout


def test_regenerating_twice_gives_identical_output(pipeline_copy: Path) -> None:
    package = pipeline_copy / "generated" / PACKAGE
    assert _run(pipeline_copy).returncode == 0
    first = _tree(package)
    assert _run(pipeline_copy).returncode == 0
    assert _tree(package) == first
    # ... and identical to what is committed.
    assert first == _tree(ROOT / "generated" / PACKAGE)


def test_a_spec_change_shows_up_in_the_check(pipeline_copy: Path) -> None:
    spec = pipeline_copy / "openapi" / "chatkit-threads.yaml"
    spec.write_text(
        spec.read_text().replace("Identifier of the parent thread.", "Parent thread id.")
    )
    result = _run(pipeline_copy, "--check")
    assert result.returncode == 1
    assert "changed:  models/user_message_item.py" in result.stdout


def test_a_skipped_endpoint_fails_generation(pipeline_copy: Path) -> None:
    # The generator only *warns* when it skips an endpoint (e.g. a `const` header);
    # the pipeline must turn that into a failure, not silently drop an operation.
    spec = pipeline_copy / "openapi" / "chatkit-threads.yaml"
    document = yaml.safe_load(spec.read_text())
    fixed = [
        parameter["schema"]
        for parameter in document["components"]["parameters"].values()
        if parameter["in"] == "header" and len(parameter["schema"].get("enum", ())) == 1
    ]
    assert fixed, "the spec has no fixed-value header to turn into a const"
    for schema in fixed:
        schema["const"] = schema.pop("enum")[0]
    spec.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    result = _run(pipeline_copy)
    assert result.returncode != 0
    assert "generator failed" in result.stderr
    # The committed package is left alone when generation fails.
    assert filecmp.dircmp(pipeline_copy / "generated", ROOT / "generated").diff_files == []


def test_generated_resources_have_every_operation_in_every_flavour() -> None:
    from chatkit_threads import AsyncChatKit, ChatKit
    from chatkit_threads_api.spec_constants import OPERATIONS

    sync = ChatKit(api_key="sk-test", base_url="http://127.0.0.1:9/v1")
    asynchronous = AsyncChatKit(api_key="sk-test", base_url="http://127.0.0.1:9/v1")
    for op in OPERATIONS.values():
        assert op.method_name is not None
        for resource in (sync.threads, asynchronous.threads):
            for variant in (resource, resource.with_raw_response):
                assert callable(getattr(variant, op.method_name))
    sync.close()
    assert (ROOT / "generated" / PACKAGE / "py.typed").exists()


def _model(component: str) -> Any:
    # The generated public class: the generated attrs data class plus the table-driven
    # parser of chatkit_threads._schema (the generated from_dict is not shipped).
    from chatkit_threads_api.client_models import MODELS

    return MODELS[component]


@pytest.mark.parametrize(
    "entry", [e for e in reference_examples() if e["conforms"]], ids=lambda e: e["name"]
)
def test_generated_models_parse_and_round_trip_conforming_page_examples(
    entry: dict[str, Any],
) -> None:
    parsed = _model(entry["component"]).from_dict(entry["example"], strict=True)
    assert parsed.to_dict() == entry["example"]


@pytest.mark.parametrize(
    "entry", [e for e in reference_examples() if not e["conforms"]], ids=lambda e: e["name"]
)
def test_generated_models_reject_drifting_page_examples(entry: dict[str, Any]) -> None:
    # Strict parsing names each required field the drifting example omits by its JSON
    # path. Tolerating the drift (the default, lenient mode) is tested in tests/client.
    with pytest.raises(ResponseValidationError) as raised:
        _model(entry["component"]).from_dict(entry["example"], strict=True)
    missing = [
        path for path, problem in raised.value.errors if problem == "required field is missing"
    ]
    assert missing
    for path in missing:
        field = path.rsplit(".", 1)[-1]
        assert field in _REQUIRED_FIELDS
        assert field not in _keys(entry["example"])


_REQUIRED_FIELDS = {
    field
    for schema in load_spec()["components"]["schemas"].values()
    for field in schema.get("required", [])
}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_generated_models_parse_every_example_in_the_spec() -> None:
    from chatkit_threads_api.client_models import MODELS

    by_schema = {"#/components/schemas/" + name: name for name in MODELS}
    parsed = 0
    for where, schema, example in iter_examples(load_spec()):
        component = by_schema.get(schema.get("$ref", ""))
        if component is None:
            continue
        assert _model(component).from_dict(example, strict=True).to_dict() == example, where
        parsed += 1
    assert parsed >= 8
