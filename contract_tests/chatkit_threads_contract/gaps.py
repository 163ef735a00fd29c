"""What a document under test leaves out: filled in, and reported as findings about the spec.

OpenAI's published document declares no error responses, no `OpenAI-Beta` header, no
links and no discriminator mappings. The facts the checks need are taken from the bundled
spec; schemathesis gets a copy of the raw document with the links and mappings the suite
derives (it reads OpenAPI itself, so these adapt its input, not the model).
"""

from __future__ import annotations

import copy
from typing import Any

from chatkit_threads_spec import SpecError, resolve

from .contract import Operation, SpecContract

__all__ = ["document_for", "fill_gaps", "map_discriminators"]

METHODS = frozenset(("get", "put", "post", "delete", "options", "head", "patch", "trace"))

# How the stateful phase chains the operations when a document has no links of its own:
# a listed thread is retrieved, its items listed, then it is deleted. The expressions
# name where the id is in each answer (a page's first entry, the thread itself).
_LINKS: dict[str, tuple[str, ...]] = {
    "list_threads": ("retrieve_thread", "list_items", "delete_thread"),
    "retrieve_thread": ("list_items", "delete_thread"),
    "delete_thread": ("retrieve_thread", "list_items"),
}
_ID_IN = {
    "list_threads": "$response.body#/data/0/id",
    "retrieve_thread": "$response.body#/id",
    "delete_thread": "$response.body#/id",
}


def fill_gaps(contract: SpecContract, bundled: SpecContract) -> None:
    """Take what the document leaves out from the bundled spec, and say so."""
    where = "the bundled spec"
    for name, value in bundled.fixed_headers.items():
        if name.lower() not in {header.lower() for header in contract.fixed_headers}:
            contract.fixed_headers[name] = value
            contract.findings.append(
                f"no operation declares the `{name}` header; it is sent anyway "
                f"(`{value}`, from {where})"
            )
    for name, what in (
        ("limit_max", "`limit` maximum"),
        ("limit_default", "`limit` default"),
        ("default_order", "`order` default"),
    ):
        if not getattr(contract, name):
            setattr(contract, name, getattr(bundled, name))
            contract.findings.append(f"no {what}; using {getattr(bundled, name)!r} from {where}")
    for role, name in bundled.names.items():
        contract.names.setdefault(role, name)
    if not contract.orders:
        contract.orders = bundled.orders
        contract.findings.append(f"no `order` values; using {list(bundled.orders)} from {where}")
    without_errors = [
        op.operation_id for op in contract.operations.values() if not op.declares_errors
    ]
    if without_errors:
        contract.findings.append(
            f"{', '.join(without_errors)} declare no error responses (4xx/5xx): the server's "
            "error answers cannot be checked against the spec"
        )
    missing = [
        operation.label
        for role, operation in bundled.operations.items()
        if role not in contract.operations
    ]
    if missing:
        contract.findings.append(f"the document lacks {', '.join(missing)}: not tested")
    if not contract.has_links:
        contract.findings.append(
            "no OpenAPI links between the operations; the suite links them itself for the "
            "stateful phase"
        )


def document_for(
    contract: SpecContract, operation_ids: tuple[str, ...]
) -> tuple[dict[str, Any], int]:
    """A copy of the raw document whose links stay within the selected operations, and
    how many links it then declares.

    Links from or to unselected operations are dropped (schemathesis refuses a link to an
    operation its filters exclude). Unselected operations stay in the document, so that
    the coverage phase never probes their method as an undeclared one. When the document
    has no links at all, links between the selected operations are added, so the stateful
    phase chains them whatever the document says.
    """
    document = copy.deepcopy(contract.document)
    selected = {
        op.role: op for op in contract.operations.values() if op.operation_id in operation_ids
    }
    ids = {op.operation_id for op in selected.values()}
    count = 0
    for path, item in document.get("paths", {}).items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            source = operation.get("operationId") in ids
            for response in operation.get("responses", {}).values():
                if isinstance(response, dict) and response.get("links"):
                    response["links"] = {
                        name: link
                        for name, link in response["links"].items()
                        if source and isinstance(link, dict) and link.get("operationId") in ids
                    }
                    count += len(response["links"])
                    if not response["links"]:
                        del response["links"]
            role = contract.role_of(method, path)
            if contract.has_links or role not in _LINKS or role not in selected:
                continue
            added = _added_links(role, selected)
            ok = operation.get("responses", {}).get("200")
            if added and isinstance(ok, dict) and "$ref" not in ok:
                ok["links"] = added
                count += len(added)
    return document, count


def _added_links(role: str, selected: dict[str, Operation]) -> dict[str, Any]:
    added: dict[str, Any] = {}
    for target in _LINKS[role]:
        operation = selected.get(target)
        name = operation.path_parameter if operation is not None else None
        if operation is not None and name:
            added[f"Contract_{target}"] = {
                "operationId": operation.operation_id,
                "parameters": {name: _ID_IN[role]},
            }
    return added


def _single(schema: Any) -> str | None:
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return str(schema["const"])
    if len(schema.get("enum", [])) == 1:
        return str(schema["enum"][0])
    return None


def _variant_value(document: dict[str, Any], variant: Any, name: str) -> str | None:
    schema = resolve(document, variant)
    if not isinstance(schema, dict):
        return None
    for part in [schema, *schema.get("allOf", [])]:
        part = resolve(document, part)
        prop = part.get("properties", {}).get(name, {}) if isinstance(part, dict) else {}
        value = _single(resolve(document, prop))
        if value is not None:
            return value
    return None


def map_discriminators(document: dict[str, Any]) -> list[str]:
    """Give each discriminator without a `mapping` one derived from its variants' values.

    Without a mapping OpenAPI says the value is the variant's schema name; when variants
    declare their own value (`type: {const: active}`), validators then reject every valid
    response ("unknown discriminator value"). The derived mapping says what the variants
    already say; the missing mapping is reported as a finding about the spec.
    """
    findings: list[str] = []

    def visit(node: Any, where: str) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                visit(item, f"{where}/{index}")
            return
        if not isinstance(node, dict):
            return
        try:
            _derive_mapping(document, node, where, findings)
        except SpecError:
            return  # a broken reference is the model's finding, not this fix-up's
        for key, value in node.items():
            visit(value, f"{where}/{key}")

    visit(document.get("components", {}).get("schemas", {}), "#/components/schemas")
    return findings


def _derive_mapping(
    document: dict[str, Any], schema: dict[str, Any], where: str, findings: list[str]
) -> None:
    discriminator = schema.get("discriminator")
    variants = schema.get("oneOf") or schema.get("anyOf") or []
    if not isinstance(discriminator, dict) or discriminator.get("mapping") or not variants:
        return
    prop = str(discriminator.get("propertyName", ""))
    mapping: dict[str, str] = {}
    for variant in variants:
        value = _variant_value(document, variant, prop)
        ref = variant.get("$ref") if isinstance(variant, dict) else None
        if value is None or not isinstance(ref, str):
            return
        mapping[value] = ref
    if any(ref.rsplit("/", 1)[-1] != value for value, ref in mapping.items()):
        discriminator["mapping"] = mapping
        findings.append(
            f"{where}: discriminator `{prop}` has no mapping, so its values "
            f"({', '.join(sorted(mapping))}) select no variant; the suite derived the "
            "mapping from the variants"
        )
