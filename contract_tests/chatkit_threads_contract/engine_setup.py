"""How a server run sets schemathesis up: its config, its schema, its extra examples.

Everything here is built from the spec under test (`contract`) and the options; the
schema itself is made by `adapter.build_schema`, the one place that knows schemathesis.
"""

from __future__ import annotations

from typing import Any

from . import adapter
from .checks import ISOLATION_CHECK
from .contract import LIST_ROLES, SpecContract
from .gaps import document_for
from .guard import DeleteGuard
from .options import PHASES, ContractOptions, all_check_names

__all__ = ["build", "phases_that_run", "selected_ids", "typical_list_queries"]

# A 400 for a valid request is judged by `valid_request_rejected_only_for_cursor`, which
# allows it only for an unknown after/before cursor; every other status keeps the
# built-in check's defaults.
_POSITIVE_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]


def selected_ids(options: ContractOptions, contract: SpecContract) -> tuple[str, ...]:
    """The operation ids the run tests."""
    return options.operations if options.operations is not None else contract.operation_ids()


def phases_that_run(options: ContractOptions, contract: SpecContract) -> tuple[str, ...]:
    """The phases that can run: the stateful phase needs links among the selected operations."""
    _, links = document_for(contract, selected_ids(options, contract))
    if links:
        return options.phases
    return tuple(phase for phase in options.phases if phase != "stateful")


def _auth(contract: SpecContract, api_key: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Schemathesis auth config for every scheme that carries the key as a bearer token,
    and the headers to send when none does (the key always goes as `Authorization: Bearer`)."""
    schemes = contract.document.get("components", {}).get("securitySchemes", {})
    auth: dict[str, Any] = {}
    for name, scheme in schemes.items() if isinstance(schemes, dict) else ():
        if not isinstance(scheme, dict):
            continue
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            auth[name] = {"bearer": api_key}
        elif (
            scheme.get("type") == "apiKey"
            and scheme.get("in") == "header"
            and str(scheme.get("name", "")).lower() == "authorization"
        ):
            auth[name] = {"api_key": f"Bearer {api_key}"}
    headers = {} if auth else {"Authorization": f"Bearer {api_key}"}
    return auth, headers


def _config(options: ContractOptions, contract: SpecContract) -> dict[str, Any]:
    selected = set(options.checks)
    checks: dict[str, Any] = {
        name: {"enabled": name in selected}
        for name in all_check_names()
        if name != "max_response_time"
    }
    checks["object_level_authorization"] = {"enabled": False}
    if "positive_data_acceptance" in selected:
        checks["positive_data_acceptance"]["expected-statuses"] = _POSITIVE_STATUSES
    if not options.other_api_key:
        checks[ISOLATION_CHECK]["enabled"] = False
    if options.max_response_time is not None and "max_response_time" in selected:
        checks["max_response_time"] = options.max_response_time / 1000
    auth, headers = _auth(contract, options.api_key)
    for name, value in contract.fixed_headers.items():
        if name not in contract.declared_headers:
            # Declared, schemathesis generates it (and its negative cases); otherwise send it.
            headers[name] = value
    headers.update(dict(options.headers))
    running = phases_that_run(options, contract)
    config: dict[str, Any] = {
        "base-url": options.base_url.rstrip("/"),
        "generation": {"max-examples": options.max_examples},
        "phases": {
            name: {
                "enabled": name in running,
                **({"fill-missing": True} if name == "examples" else {}),
            }
            for name in PHASES
        },
        "checks": checks,
        "continue-on-failure": True,
        "workers": 1,
        "request-timeout": options.request_timeout,
        "output": {"sanitization": {"enabled": True}},
    }
    if auth:
        config["auth"] = {"openapi": auth}
    if headers:
        config["headers"] = headers
    if options.seed is not None:
        config["seed"] = options.seed
    delete = contract.operations.get("delete_thread")
    if options.delete_policy == "listed" and delete is not None:
        # Deletes come from the examples phase (a thread the first listing showed) and the
        # stateful phase (threads reached through a listing's links), never from random ids.
        config["operations"] = [
            {
                "include-operation-id": delete.operation_id,
                "phases": {name: {"enabled": name in ("examples", "stateful")} for name in PHASES},
            }
        ]
    return config


def typical_list_queries(contract: SpecContract) -> tuple[dict[str, Any], ...]:
    """Queries a client typically sends, tried on each list operation besides the generated
    ones (parameters named by role; `SpecContract.on_wire` names them as the spec does).

    Generation favours boundaries (the minimum, 1, the maximum, the default); a server that
    breaks on an ordinary page size in between would otherwise go unnoticed. A server that
    ignores `limit` or misreports `has_more` shows only on a page smaller than the listing,
    and generation may not send one: a page of two is smaller than any listing worth paging
    through, whatever the spec's default and the server's data.
    """
    middle = (contract.limit_min + contract.limit_max) // 2
    small = max(contract.limit_min, min(contract.limit_max, contract.limit_default // 2 or 1))
    pair = max(contract.limit_min, min(contract.limit_max, 2))
    orders = contract.orders or ("",)
    return (
        {"limit": middle},
        {"limit": small, "order": orders[0]},
        {"limit": pair, "order": orders[-1]},
    )


def _add_examples(
    contract: SpecContract,
    operation: Any,
    examples: list[Any],
    known: list[str],
    guard: DeleteGuard,
) -> None:
    """Typical list queries, and a thread the server listed for the operations of one thread.

    Generated ids almost never exist; one real id per operation in the examples phase
    makes sure the 200 path is judged even in a short run of one operation. The delete
    takes the last thread listed, the others the first, so they do not collide. The
    spec's own example ids name no thread this run listed: those are never sent.
    """
    if operation is not None and examples:
        role = contract.role_of(operation.method, operation.path)
        base = examples[0]
        name = next(iter(base.path_parameters or {}), None)
        if role in LIST_ROLES:
            for query in typical_list_queries(contract):
                found = contract.on_wire({k: v for k, v in query.items() if v})
                examples.append(adapter.derive_case(base, query=found))
        if known and name is not None:
            if role == "delete_thread" and guard.policy != "none":
                examples.append(adapter.derive_case(base, path_parameters={name: known[-1]}))
            elif role in ("retrieve_thread", "list_items"):
                examples.append(adapter.derive_case(base, path_parameters={name: known[0]}))
    kept = [example for example in examples if guard.allows(example)]
    guard.skip(len(examples) - len(kept))
    examples[:] = kept


def build(
    options: ContractOptions, contract: SpecContract, guard: DeleteGuard, known: list[str]
) -> Any:
    """The schemathesis schema of the run."""
    selected = selected_ids(options, contract)
    document, _ = document_for(contract, selected)

    def add_examples(operation: Any, examples: list[Any]) -> None:
        _add_examples(contract, operation, examples, known, guard)

    return adapter.build_schema(
        document,
        _config(options, contract),
        operation_ids=selected,
        exclude_delete=options.delete_policy == "none",
        filter_case=guard.filter_case,
        add_examples=add_examples,
        after_call=guard.after_call,
        known_ids=known,
    )
