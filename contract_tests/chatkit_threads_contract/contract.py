"""What the spec under test says, read from the document itself (never retyped here).

The suite can test a server against any version of the OpenAPI document: the bundled
one, an edited copy before it is bundled, or OpenAI's published document. Operations are
recognised by method and path template, not by operation id; the facts the checks need
(limit bounds and default, orders, the user filter's length, the beta header's value)
come from the operations' parameters. A fact the document leaves out is taken from the
bundled document, and the gap is reported as a finding about the spec.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from chatkit_threads_api.spec_constants import FIXED_HEADERS

from .spec import SPEC_PATH

__all__ = [
    "BETA_HEADER",
    "ROLES",
    "SpecContract",
    "SpecError",
    "count_links",
    "load_contract",
]

THREADS_PATH = "/chatkit/threads"
# The name of the header the bundled spec fixes; a document under test gives its value.
((BETA_HEADER, _),) = FIXED_HEADERS.items()
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

ROLES: dict[str, tuple[str, str]] = {
    "list_threads": ("GET", THREADS_PATH),
    "retrieve_thread": ("GET", THREADS_PATH + "/{}"),
    "list_items": ("GET", THREADS_PATH + "/{}/items"),
    "delete_thread": ("DELETE", THREADS_PATH + "/{}"),
}
"""The four operations the suite knows, by method and path template (parameter names blanked)."""

# How the stateful phase chains the operations when a document has no links of its own:
# a listed thread is retrieved, its items listed, then it is deleted.
_LINKS: dict[str, dict[str, str]] = {
    "list_threads": {
        "retrieve_thread": "$response.body#/data/0/id",
        "list_items": "$response.body#/data/0/id",
        "delete_thread": "$response.body#/data/0/id",
    },
    "retrieve_thread": {
        "list_items": "$response.body#/id",
        "delete_thread": "$response.body#/id",
    },
    "delete_thread": {
        "retrieve_thread": "$response.body#/id",
        "list_items": "$response.body#/id",
    },
}


class SpecError(ValueError):
    """The document cannot be used: unreadable, not OpenAPI, or without the threads operations."""


def _template(path: str) -> str:
    """`/chatkit/threads/{thread_id}` -> `/chatkit/threads/{}`: parameter names do not matter."""
    parts = [
        ("{}" if part.startswith("{") and part.endswith("}") else part) for part in path.split("/")
    ]
    return "/".join(parts)


@dataclass(frozen=True)
class Operation:
    """One recognised operation of the document."""

    role: str
    method: str
    path: str
    operation_id: str
    parameters: tuple[dict[str, Any], ...]
    responses: dict[str, Any]

    @property
    def label(self) -> str:
        """`GET /chatkit/threads`, as schemathesis labels it."""
        return f"{self.method} {self.path}"

    def parameter(self, name: str, location: str = "query") -> dict[str, Any] | None:
        """The parameter `name` in `location`, references resolved; `None` if not declared."""
        for parameter in self.parameters:
            if (
                parameter.get("name", "").lower() == name.lower()
                and parameter.get("in") == location
            ):
                return parameter
        return None

    @property
    def declares_errors(self) -> bool:
        """Whether any 4xx/5xx response is declared (or a default)."""
        return any(str(code)[0] in "45" or code == "default" for code in self.responses)


def _read(source: str | Path) -> dict[str, Any]:
    text: str
    where = str(source)
    try:
        if urlsplit(where).scheme in ("http", "https"):
            response = httpx.get(where, timeout=30.0, follow_redirects=True)
            response.raise_for_status()
            text = response.text
        else:
            text = Path(where).read_text(encoding="utf-8")
    except (OSError, httpx.HTTPError) as error:
        raise SpecError(f"cannot read the spec {where}: {error}") from None
    try:
        # PyYAML's C loader when it has one: the pure-Python one takes most of a load.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        document = json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, loader)
    except (ValueError, yaml.YAMLError) as error:
        raise SpecError(f"{where} is not JSON or YAML: {error}") from None
    if not isinstance(document, dict) or "paths" not in document:
        raise SpecError(f"{where} is not an OpenAPI document (no `paths`)")
    return document


@dataclass
class SpecContract:
    """The spec under test, its recognised operations and the facts the checks use."""

    source: str
    document: dict[str, Any]
    operations: dict[str, Operation]
    findings: list[str] = field(default_factory=list)
    beta_header_value: str = ""
    limit_min: int = 0
    limit_max: int = 0
    limit_default: int = 0
    user_max_length: int | None = None
    orders: tuple[str, ...] = ()
    default_order: str = ""
    declares_beta_header: bool = False
    has_links: bool = False

    # ------------------------------------------------------------------ lookups

    def role_of(self, method: str, path: str) -> str | None:
        """The role of the operation at `method path` (templated), if recognised."""
        key = (method.upper(), _template(path))
        for role, (m, template) in ROLES.items():
            if (m, template) == key:
                return role
        return None

    def operation_ids(self) -> tuple[str, ...]:
        """The recognised operations' ids, in role order (what `--operations` accepts)."""
        return tuple(op.operation_id for op in self.operations.values())

    def by_id(self, operation_id: str) -> Operation | None:
        """The recognised operation with this id or label."""
        for operation in self.operations.values():
            if operation_id in (operation.operation_id, operation.label):
                return operation
        return None

    def path_of(self, role: str) -> str | None:
        """The path template of `role` as the document writes it."""
        operation = self.operations.get(role)
        return operation.path if operation else None

    # ---------------------------------------------------------- the run's spec

    def document_for(self, operation_ids: tuple[str, ...]) -> dict[str, Any]:
        """A copy of the document whose links stay within the selected operations.

        Links from or to unselected operations are dropped (schemathesis refuses a link to an
        operation its filters exclude). Unselected operations stay in the document, so
        that the coverage phase never probes their method as an undeclared one. When the
        document has no links at all, links between the selected operations are added, so
        the stateful phase chains them whatever the document says.
        """
        document = copy.deepcopy(self.document)
        selected = {
            op.role: op for op in self.operations.values() if op.operation_id in operation_ids
        }
        ids = {op.operation_id for op in selected.values()}
        for path, item in document.get("paths", {}).items():
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
                        if not response["links"]:
                            del response["links"]
                role = self.role_of(method, path)
                if self.has_links or role not in _LINKS or role not in selected:
                    continue
                added = {
                    f"Contract_{target}": {
                        "operationId": selected[target].operation_id,
                        "parameters": {_path_parameter(selected[target]): expression},
                    }
                    for target, expression in _LINKS[role].items()
                    if target in selected and _path_parameter(selected[target])
                }
                ok = operation.get("responses", {}).get("200")
                if added and isinstance(ok, dict) and "$ref" not in ok:
                    ok["links"] = added
        return document


def count_links(document: dict[str, Any]) -> int:
    """How many OpenAPI links the document's operations declare (after `document_for`)."""
    total = 0
    for _method, _path, operation, _shared in _iter_operations(document):
        for response in operation.get("responses", {}).values():
            links = (
                _resolve(document, response).get("links") if isinstance(response, dict) else None
            )
            total += len(links) if isinstance(links, dict) else 0
    return total


def _path_parameter(operation: Operation) -> str:
    for parameter in operation.parameters:
        if parameter.get("in") == "path":
            return str(parameter.get("name", ""))
    return ""


def _resolve(document: dict[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 20:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return node
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node, seen = target, seen + 1
    return node


def _iter_operations(
    document: dict[str, Any],
) -> Iterator[tuple[str, str, dict[str, Any], list[Any]]]:
    for path, item in document.get("paths", {}).items():
        item = _resolve(document, item)
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method], shared


def _schema(document: dict[str, Any], parameter: dict[str, Any] | None) -> dict[str, Any]:
    if parameter is None:
        return {}
    schema = _resolve(document, parameter.get("schema", {}))
    return schema if isinstance(schema, dict) else {}


def _single_value(schema: dict[str, Any]) -> str | None:
    if "const" in schema:
        return str(schema["const"])
    if len(schema.get("enum", [])) == 1:
        return str(schema["enum"][0])
    if "default" in schema:
        return str(schema["default"])
    return None


def _build(source: str, document: dict[str, Any]) -> SpecContract:
    operations: dict[str, Operation] = {}
    has_links = False
    for method, path, operation, shared in _iter_operations(document):
        key = (method, _template(path))
        role = next((r for r, template in ROLES.items() if template == key), None)
        if role is None:
            continue
        parameters = tuple(
            _resolve(document, parameter)
            for parameter in [*shared, *operation.get("parameters", [])]
        )
        responses = {
            str(code): _resolve(document, response)
            for code, response in operation.get("responses", {}).items()
        }
        has_links = has_links or any(
            isinstance(response, dict) and response.get("links") for response in responses.values()
        )
        operations[role] = Operation(
            role=role,
            method=method,
            path=path,
            operation_id=str(operation.get("operationId") or f"{method} {path}"),
            parameters=parameters,
            responses=responses,
        )
    if not operations:
        raise SpecError(
            f"{source} declares none of the ChatKit threads operations "
            f"({', '.join(f'{m} {t}' for m, t in ROLES.values())})"
        )
    operations = {role: operations[role] for role in ROLES if role in operations}
    contract = SpecContract(
        source=source, document=document, operations=operations, has_links=has_links
    )
    _read_facts(contract)
    return contract


def _list_operation(contract: SpecContract) -> Operation | None:
    return contract.operations.get("list_threads") or contract.operations.get("list_items")


def _read_facts(contract: SpecContract, fallback: SpecContract | None = None) -> None:
    document = contract.document
    listing = _list_operation(contract)
    limit = _schema(document, listing.parameter("limit") if listing else None)
    order = _schema(document, listing.parameter("order") if listing else None)
    users = contract.operations.get("list_threads")
    user = _schema(document, users.parameter("user") if users else None)
    beta_values = {
        value
        for op in contract.operations.values()
        if (value := _single_value(_schema(document, op.parameter(BETA_HEADER, "header"))))
    }
    contract.declares_beta_header = bool(beta_values)
    contract.beta_header_value = sorted(beta_values)[0] if beta_values else ""
    contract.limit_min = int(limit.get("minimum", 0))
    contract.limit_max = int(limit.get("maximum", 0))
    contract.limit_default = int(limit.get("default", 0))
    contract.orders = tuple(str(value) for value in order.get("enum", ()))
    contract.default_order = str(order.get("default", ""))
    contract.user_max_length = int(user["maxLength"]) if "maxLength" in user else None


def _fill_gaps(contract: SpecContract, bundled: SpecContract) -> None:
    """Take what the document leaves out from the bundled document, and say so."""
    where = "the bundled spec"
    if not contract.declares_beta_header:
        contract.beta_header_value = bundled.beta_header_value
        contract.findings.append(
            f"no operation declares the `{BETA_HEADER}` header; it is sent anyway "
            f"(`{bundled.beta_header_value}`, from {where})"
        )
    for name, what in (
        ("limit_max", "`limit` maximum"),
        ("limit_default", "`limit` default"),
        ("default_order", "`order` default"),
    ):
        if not getattr(contract, name):
            setattr(contract, name, getattr(bundled, name))
            contract.findings.append(f"no {what}; using {getattr(bundled, name)!r} from {where}")
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
        f"{m} {t.replace('{}', '{thread_id}')}"
        for r, (m, t) in ROLES.items()
        if r not in contract.operations
    ]
    if missing:
        contract.findings.append(f"the document lacks {', '.join(missing)}: not tested")
    if not contract.has_links:
        contract.findings.append(
            "no OpenAPI links between the operations; the suite links them itself for the "
            "stateful phase"
        )


def _variant_value(document: dict[str, Any], variant: Any, name: str) -> str | None:
    schema = _resolve(document, variant)
    if not isinstance(schema, dict):
        return None
    for part in [schema, *schema.get("allOf", [])]:
        part = _resolve(document, part)
        prop = (
            _resolve(document, part.get("properties", {}).get(name, {}))
            if isinstance(part, dict)
            else {}
        )
        if isinstance(prop, dict):
            value = _single_value(prop)
            if value is not None:
                return value
    return None


def _map_discriminators(document: dict[str, Any]) -> list[str]:
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
        _derive_mapping(document, node, where, findings)
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


def load_contract(source: str | Path | None = None) -> SpecContract:
    """Load the spec under test (default: the bundled one) and read its facts."""
    bundled = _build(str(SPEC_PATH), _read(SPEC_PATH))
    if source is None or str(source) == str(SPEC_PATH):
        return bundled
    document = _read(source)
    mapped = _map_discriminators(document)
    contract = _build(str(source), document)
    _fill_gaps(contract, bundled)
    contract.findings.extend(mapped)
    return contract
