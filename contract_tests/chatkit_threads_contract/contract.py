"""What the spec under test says, from the project's spec model (`chatkit_threads_spec`).

The suite can test a server against any version of the OpenAPI document: the bundled
one, an edited copy before it is bundled, or OpenAI's published document. The four
operations the suite knows are found in the bundled spec by their shape (a listing of
threads, one thread, a listing under one thread, a delete), and recognised in the
document under test by method and path template, not by operation id. The facts the
checks need (limit bounds and default, orders, the user filter's length, the fixed
headers, the paths) come from the model of the document under test; a fact it leaves
out is taken from the bundled spec, and the gap is reported as a finding about the spec
(see `gaps`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from chatkit_threads_spec import (
    Operation as SpecOperation,
)
from chatkit_threads_spec import (
    Parameter,
    Spec,
    SpecError,
    build_spec,
    load_document,
    load_spec,
    parse_document,
    spec_path,
)

__all__ = [
    "LIST_ROLES",
    "Operation",
    "SpecContract",
    "SpecError",
    "bundled_roles",
    "load_contract",
    "template",
]

LIST_ROLES = ("list_threads", "list_items")
"""The roles whose answers are pages of a listing."""
PARAM_ROLES = ("after", "before", "limit", "order", "user")
"""What the listing parameters do, as the checks speak of them: the forward and backward
cursors, the page size, the order, the user filter. Their names on the wire are the
spec's (`SpecContract.wire`), found by their rules (see `param_names`)."""
SPEC_DOWNLOAD_LIMIT = 32 * 1024 * 1024


def template(path: str) -> str:
    """`/chatkit/threads/{thread_id}` -> `/chatkit/threads/{}`: parameter names do not matter."""
    parts = [
        ("{}" if part.startswith("{") and part.endswith("}") else part) for part in path.split("/")
    ]
    return "/".join(parts)


def _shape(operation: SpecOperation) -> str | None:
    """The role an operation of the bundled spec plays, from its shape alone."""
    path_params = len(operation.path_params)
    if operation.method == "GET" and operation.paginated:
        return {0: "list_threads", 1: "list_items"}.get(path_params)
    if path_params == 1 and operation.method in ("GET", "DELETE"):
        return "retrieve_thread" if operation.method == "GET" else "delete_thread"
    return None


def param_names(listing: SpecOperation | None, users: SpecOperation | None) -> dict[str, str]:
    """The wire name of each listing parameter role, from the parameters' rules.

    The page size is the bounded integer, the order the parameter with a choice of
    values, the user filter the bounded string only the listing of threads has, and the
    cursors the unbounded strings, the forward one first (as the spec lists them)."""
    found: dict[str, str] = {}
    query = listing.query if listing is not None else ()
    only_users = {p.name for p in users.query} - {p.name for p in query} if users else set()
    for param in users.query if users is not None else ():
        bounded = param.min_length is not None or param.max_length is not None
        if param.name in only_users and param.kind == "string" and bounded:
            found.setdefault("user", param.name)
    cursors = []
    for param in query:
        if param.kind == "integer" and param.maximum is not None:
            found.setdefault("limit", param.name)
        elif param.enum is not None and len(param.enum) > 1:
            found.setdefault("order", param.name)
        elif param.kind == "string" and param.enum is None and param.max_length is None:
            cursors.append(param.name)
    found.update(zip(("after", "before"), cursors, strict=False))
    return found


def bundled_roles(spec: Spec | None = None) -> dict[str, tuple[str, str]]:
    """The roles the suite knows, by method and path template (from the bundled spec)."""
    found: dict[str, tuple[str, str]] = {}
    for operation in (spec or load_spec()).operations:
        role = _shape(operation)
        if role is not None and role not in found:
            found[role] = (operation.method, template(operation.path))
    return found


@dataclass(frozen=True)
class Operation:
    """One recognised operation of the document under test."""

    role: str
    model: SpecOperation

    @property
    def method(self) -> str:
        """`GET`, `DELETE`..."""
        return self.model.method

    @property
    def path(self) -> str:
        """The path template as the document writes it."""
        return self.model.path

    @property
    def operation_id(self) -> str:
        """The document's operation id."""
        return self.model.operation_id

    @property
    def label(self) -> str:
        """`GET /chatkit/threads`, as schemathesis labels it."""
        return f"{self.method} {self.path}"

    def parameter(self, name: str, location: str = "query") -> Parameter | None:
        """The parameter `name` in `location` (header names match in any case)."""
        for parameter in self.model.parameters_in(location):
            if parameter.name.lower() == name.lower():
                return parameter
        return None

    @property
    def path_parameter(self) -> str | None:
        """The name of its one path parameter (the thread id), if it has one."""
        params = self.model.path_params
        return params[0].name if len(params) == 1 else None

    @property
    def declares_errors(self) -> bool:
        """Whether any 4xx/5xx response is declared (or a default)."""
        return any(str(code)[0] in "45" or code == "default" for code in self.model.responses)

    def url_path(self, thread_id: str | None = None) -> str:
        """The path to request, the thread id (if any) filled in and escaped."""
        name = self.path_parameter
        if name is None or thread_id is None:
            return self.path
        return self.path.replace("{" + name + "}", quote(thread_id, safe=""))


@dataclass
class SpecContract:
    """The spec under test, its recognised operations and the facts the checks use."""

    source: str
    document: dict[str, Any]
    """The raw document, for schemathesis (which reads OpenAPI itself)."""
    spec: Spec
    operations: dict[str, Operation]
    roles: dict[str, tuple[str, str]]
    findings: list[str] = field(default_factory=list)
    fixed_headers: dict[str, str] = field(default_factory=dict)
    """Headers sent with every request, name -> value (the beta header)."""
    declared_headers: frozenset[str] = frozenset()
    """Fixed headers the document itself declares (schemathesis then generates them)."""
    limit_min: int = 0
    limit_max: int = 0
    limit_default: int = 0
    user_max_length: int | None = None
    orders: tuple[str, ...] = ()
    """The `order` values; by the spec's convention the ascending one comes first."""
    default_order: str = ""
    has_links: bool = False
    bundled: bool = False
    names: dict[str, str] = field(default_factory=dict)
    """The wire name of each listing parameter role (`PARAM_ROLES`)."""

    # ------------------------------------------------------------------ lookups

    def role_of(self, method: str, path: str) -> str | None:
        """The role of the operation at `method path` (templated), if recognised."""
        key = (method.upper(), template(path))
        return next((role for role, known in self.roles.items() if known == key), None)

    def operation_ids(self) -> tuple[str, ...]:
        """The recognised operations' ids, in role order (what `--operations` accepts)."""
        return tuple(op.operation_id for op in self.operations.values())

    def by_id(self, operation_id: str) -> Operation | None:
        """The recognised operation with this id or label."""
        for operation in self.operations.values():
            if operation_id in (operation.operation_id, operation.label):
                return operation
        return None

    def path_of(self, role: str, thread_id: str | None = None) -> str:
        """The path of `role` (with the thread id filled in), as the document writes it.

        A role the document lacks falls back to the bundled spec's template (follow-up
        requests still need somewhere to go)."""
        operation = self.operations.get(role)
        if operation is not None:
            return operation.url_path(thread_id)
        path = self.roles[role][1]
        return path.replace("{}", quote(thread_id or "", safe=""))

    def wire(self, role: str) -> str:
        """The name on the wire of a listing parameter role (`after`, `limit`...)."""
        return self.names.get(role, role)

    def on_wire(self, params: dict[str, Any]) -> dict[str, Any]:
        """Query parameters named by role, named as the spec names them."""
        return {self.wire(role): value for role, value in params.items()}

    def by_role(self, sent: dict[str, str]) -> dict[str, str]:
        """A received query, named by role (parameters with no role keep their name)."""
        roles = {wire: role for role, wire in self.names.items()}
        return {roles.get(name, name): value for name, value in sent.items()}

    @property
    def ascending(self) -> str:
        """The `order` value that lists oldest first."""
        return self.orders[0]

    @property
    def descending(self) -> str:
        """The `order` value that lists newest first."""
        return self.orders[-1]

    def is_descending(self, order: str) -> bool:
        """Whether `order` lists newest first."""
        return len(self.orders) > 1 and order == self.descending


def _fetch(url: str) -> str:
    try:
        with httpx.stream("GET", url, timeout=30.0, follow_redirects=True) as response:
            response.raise_for_status()
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > SPEC_DOWNLOAD_LIMIT:
                    raise SpecError(f"{url}: larger than {SPEC_DOWNLOAD_LIMIT} bytes")
                chunks.append(chunk)
    except httpx.HTTPError as error:
        raise SpecError(f"cannot read the spec {url}: {error}") from None
    try:
        return b"".join(chunks).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpecError(f"{url}: not UTF-8 text") from None


def _read(source: str | Path) -> tuple[dict[str, Any], Spec]:
    """The raw document and its model; `SpecError` (one line) for anything unusable."""
    where = str(source)
    if urlsplit(where).scheme in ("http", "https"):
        document = parse_document(_fetch(where), source=where)
    else:
        document = load_document(where)
    if "paths" not in document:
        raise SpecError(f"{where} is not an OpenAPI document (no `paths`)")
    try:
        return document, build_spec(document)
    except SpecError as error:
        raise SpecError(f"{where}: {error}") from None


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _build(
    source: str, document: dict[str, Any], spec: Spec, roles: dict[str, tuple[str, str]]
) -> SpecContract:
    found: dict[str, Operation] = {}
    for model in spec.operations:
        key = (model.method, template(model.path))
        role = next((r for r, known in roles.items() if known == key), None)
        if role is not None and role not in found:
            found[role] = Operation(role, model)
    if not found:
        raise SpecError(
            f"{source} declares none of the ChatKit threads operations "
            f"({', '.join(f'{m} {t}' for m, t in roles.values())})"
        )
    operations = {role: found[role] for role in roles if role in found}
    contract = SpecContract(
        source=source,
        document=document,
        spec=spec,
        operations=operations,
        roles=roles,
        has_links=any(op.model.links for op in operations.values()),
    )
    _read_facts(contract)
    return contract


def _read_facts(contract: SpecContract) -> None:
    operations = contract.operations
    listing = operations.get("list_items") or operations.get("list_threads")
    users = operations.get("list_threads")
    contract.names = param_names(listing.model if listing else None, users.model if users else None)
    limit = listing.parameter(contract.wire("limit")) if listing else None
    order = listing.parameter(contract.wire("order")) if listing else None
    user = users.parameter(contract.wire("user")) if users else None
    headers: dict[str, str] = {}
    for operation in operations.values():
        headers.update(operation.model.headers)
    contract.fixed_headers = headers
    contract.declared_headers = frozenset(headers)
    if limit is not None:
        contract.limit_min = _int(limit.minimum)
        contract.limit_max = _int(limit.maximum)
        contract.limit_default = _int(limit.default)
    if order is not None:
        contract.orders = tuple(str(value) for value in order.enum or ())
        contract.default_order = "" if order.default is None else str(order.default)
    contract.user_max_length = user.max_length if user is not None else None


def load_contract(source: str | Path | None = None) -> SpecContract:
    """Load the spec under test (default: the bundled one) and read its facts.

    `SpecError` (a `ValueError`, one line naming the problem) for a document that cannot
    be read, is hostile (an alias bomb), or declares none of the four operations."""
    bundled_spec = load_spec()
    roles = bundled_roles(bundled_spec)
    if source is None or Path(str(source)) == spec_path():
        contract = _build(str(spec_path()), load_document(), bundled_spec, roles)
        contract.bundled = True
        return contract
    from .gaps import fill_gaps, map_discriminators

    document, spec = _read(source)
    mapped = map_discriminators(document)
    contract = _build(str(source), document, spec, roles)
    bundled = _build(str(spec_path()), {}, bundled_spec, roles)
    fill_gaps(contract, bundled)
    contract.findings.extend(mapped)
    return contract
