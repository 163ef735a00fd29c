"""Reading documents: hostile or malformed input is a SpecError, never obeyed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatkit_threads_spec import SpecError, load_document, load_spec, parse_document
from chatkit_threads_spec._load import MAX_ALIASES, MAX_DEPTH

BOMB = "\n".join(
    [
        'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]',
        *(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]"
            for i in range(8)
        ),
    ]
)


def test_a_yaml_alias_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB)
    with pytest.raises(SpecError, match="alias") as caught:
        load_document(path)
    assert str(path) in str(caught.value)
    with pytest.raises(SpecError, match="alias"):
        load_spec(path)
    # A SpecError is a ValueError: callers that refuse bad input catch that.
    assert isinstance(caught.value, ValueError)


def test_many_alias_uses_are_refused_even_when_small() -> None:
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n"
    with pytest.raises(SpecError, match="alias"):
        parse_document(text)


def test_a_few_aliases_are_fine() -> None:
    document = parse_document("base: &base {type: string}\nother: *base\nopenapi: 3.1.0\n")
    assert document["other"] == {"type": "string"}


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(SpecError, match="contains it"):
        parse_document("a: &a [1, *a]\n")


@pytest.mark.parametrize("as_json", [False, True])
def test_excessive_nesting_is_refused(as_json: bool) -> None:
    depth = MAX_DEPTH + 5
    text = "[" * depth + "]" * depth
    text = '{"a": ' + text + "}" if as_json else "a: " + text
    with pytest.raises(SpecError, match="nested more than"):
        parse_document(text)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("- a\n- b\n", "top level is a list"),
        ("", "top level is empty"),
        ("just text", "top level is a str"),
        ("a: [unclosed", "not valid YAML"),
        ('{"a": ', "not valid JSON"),
    ],
)
def test_malformed_and_non_mapping_documents_are_refused(text: str, said: str) -> None:
    with pytest.raises(SpecError, match=said):
        parse_document(text, source="given.yaml")


def test_json_documents_are_read() -> None:
    assert parse_document(json.dumps({"openapi": "3.1.0"})) == {"openapi": "3.1.0"}


def test_binary_and_missing_files_are_refused(tmp_path: Path) -> None:
    binary = tmp_path / "spec.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SpecError, match="not UTF-8"):
        load_document(binary)
    with pytest.raises(SpecError, match="cannot read"):
        load_document(tmp_path / "missing.yaml")
