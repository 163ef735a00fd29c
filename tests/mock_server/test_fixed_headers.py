"""Each request must carry the fixed headers of the operation it routes to, no others."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from chatkit_threads_mock import DEFAULT_API_KEY, MockApi, create_app
from chatkit_threads_spec import Spec, build_spec, load_document, resolve
from tests.spec_facts import BETA_HEADER, BETA_VALUE

from .conftest import assert_conforms

AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
BETA = {BETA_HEADER: BETA_VALUE}
OTHER_HEADER, OTHER_VALUE = "X-Chatkit-Variant", "variant=1"
OTHER = {OTHER_HEADER: OTHER_VALUE}


def _variant() -> Spec:
    """The bundled spec, with no fixed header on `listThreads` and, on `retrieveThread`,
    another fixed header in place of the beta header (the other operations keep it)."""
    document = load_document()
    bundled = build_spec(load_document())

    def parameters(operation_id: str) -> list[object]:
        operation = bundled.operation(operation_id)
        raw = document["paths"][operation.path][operation.method.lower()]
        kept = [p for p in raw["parameters"] if resolve(document, p)["in"] != "header"]
        raw["parameters"] = kept
        return kept

    parameters("listThreads")
    parameters("retrieveThread").append(
        {
            "name": OTHER_HEADER,
            "in": "header",
            "required": True,
            "schema": {"type": "string", "enum": [OTHER_VALUE]},
        }
    )
    spec = build_spec(document)
    assert spec.operation("listThreads").headers == {}
    assert spec.operation("retrieveThread").headers == OTHER
    assert spec.operation("listThreadItems").headers == BETA
    return spec


VARIANT = _variant()


class VariantApi(MockApi):
    """The mock's handlers over the variant's operations."""

    operations = VARIANT.operations


def _path(operation_id: str, thread_id: str = "") -> str:
    return VARIANT.operation(operation_id).path.format(thread_id=thread_id)


@pytest.fixture
def variant() -> Iterator[TestClient]:
    with TestClient(create_app(api_class=VariantApi), base_url="http://127.0.0.1/v1") as client:
        yield client


def _refused_for(response: Any, operation_id: str, header: str) -> None:
    body = assert_conforms(operation_id, response)
    assert body["error"]["param"] == header, body


def test_each_operation_requires_its_own_fixed_headers(variant: TestClient) -> None:
    listed = variant.get(_path("listThreads"), headers=AUTH)
    thread_id = assert_conforms("listThreads", listed)["data"][0]["id"]

    retrieve = _path("retrieveThread", thread_id)
    refused = variant.get(retrieve, headers=AUTH | BETA)
    assert refused.status_code == 400
    _refused_for(refused, "retrieveThread", OTHER_HEADER)
    wrong = variant.get(retrieve, headers=AUTH | {OTHER_HEADER: f"not-{OTHER_VALUE}"})
    assert wrong.status_code == 400
    assert assert_conforms("retrieveThread", variant.get(retrieve, headers=AUTH | OTHER))

    items = _path("listThreadItems", thread_id)
    refused = variant.get(items, headers=AUTH | OTHER)
    assert refused.status_code == 400
    _refused_for(refused, "listThreadItems", BETA_HEADER)
    assert variant.get(items, headers=AUTH | BETA).status_code == 200


def test_switching_the_check_off_accepts_any_operations_missing_headers() -> None:
    app = create_app(api_class=VariantApi, require_beta_header=False)
    with TestClient(app, base_url="http://127.0.0.1/v1") as lax:
        thread_id = lax.get(_path("listThreads"), headers=AUTH).json()["data"][0]["id"]
        assert lax.get(_path("retrieveThread", thread_id), headers=AUTH).status_code == 200
        assert lax.get(_path("listThreadItems", thread_id), headers=AUTH).status_code == 200


def test_faults_apply_to_requests_that_pass_their_own_operations_checks() -> None:
    app = create_app(api_class=VariantApi, faults="503=1")
    with TestClient(app, base_url="http://127.0.0.1/v1") as failing:
        # No fixed header is needed to list: the request passes, so the fault applies.
        assert failing.get(_path("listThreads"), headers=AUTH).status_code == 503
        # The beta header is not this operation's: its 400 comes through, unfaulted.
        refused = failing.get(_path("retrieveThread", "cthr_any"), headers=AUTH | BETA)
        assert refused.status_code == 400
        _refused_for(refused, "retrieveThread", OTHER_HEADER)
        assert (
            failing.get(_path("retrieveThread", "cthr_any"), headers=AUTH | OTHER).status_code
            == 503
        )
