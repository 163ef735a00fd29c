"""The spec model: operations, parameters, responses, links, and the whole ``Spec``.

Frozen records (``_record``), built from the document by ``load_spec`` (``_build``) or written as
literals by ``scripts/generate`` (``chatkit_threads_api.spec_constants``), so the client
has the same objects without reading YAML.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._errors import SpecError
from ._record import EMPTY, record

if TYPE_CHECKING:
    from ._schemas import Schema

__all__ = ["Link", "Operation", "Parameter", "Resource", "Response", "Spec"]


@record()
class Parameter:
    """A parameter of an operation: its name on the wire and in Python, and its rules.

    The rules are those of its (resolved) schema; ``kind`` is the JSON type
    (``string``, ``integer``, ``number``, ``boolean``; ``array``/``object``/``any`` for
    what the rules do not cover)."""

    name: str
    python_name: str
    kind: str
    location: str = "query"
    """``query``, ``path``, ``header`` or ``cookie``."""
    required: bool = False
    enum: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    default: Any = None
    schema_name: str | None = None
    """The component schema its schema refers to (e.g. an enum like ``SortOrder``)."""
    description: str = ""

    @property
    def empty_means_absent(self) -> bool:
        """Whether an empty query value means "not sent" (``after=``: no cursor).

        True for a plain string; where the rules refuse an empty string (an enum, a
        ``minLength``, a pattern) an empty value stays an error."""
        return (
            self.kind == "string"
            and self.enum is None
            and not self.min_length
            and self.pattern is None
        )


@record()
class Link:
    """An OpenAPI link of a response: a value of it feeds another operation."""

    name: str
    operation_id: str
    parameters: Mapping[str, str] = EMPTY
    """Parameter name -> runtime expression (``$response.body#/id``)."""
    status: str = "200"
    description: str = ""


@record()
class Response:
    """One declared response of an operation."""

    status: str
    """``200``, ``4XX``, ``default``... as the document writes it."""
    description: str = ""
    schema: Schema | None = None
    """The ``application/json`` body's schema (a ``RefSchema`` when it names one)."""
    headers: tuple[str, ...] = ()
    """The names of the headers it declares."""


@record(slots=False)
class Operation:
    """An operation: method, path template, parameters, responses, and what the client
    derives from them (its method and resource, the success schema, pagination)."""

    operation_id: str
    method: str
    """Upper case: ``GET``, ``DELETE``..."""
    path: str
    """The template as the document writes it (``/chatkit/threads/{thread_id}``)."""
    parameters: tuple[Parameter, ...] = ()
    """Path-level and operation-level ones, merged (the operation's win)."""
    responses: Mapping[str, Response] = EMPTY
    method_name: str | None = None
    """The client method (``x-python-method``)."""
    resource: str | None = None
    """The client resource (the operation's one tag)."""
    response_schema: str | None = None
    """The component schema of the success (first 2xx) JSON body."""
    response_object: str | None = None
    """The ``object`` constant of that schema (``list``, ``chatkit.thread``...)."""
    paginated: bool = False
    """Whether the success body is a page: a ``data`` array and ``has_more``."""
    page_items: str | None = None
    """For a page, the component schema of its ``data`` entries."""
    links: tuple[Link, ...] = ()
    request_body: bool = False
    """Whether it declares a request body."""
    summary: str = ""
    description: str = ""

    def parameters_in(self, location: str) -> tuple[Parameter, ...]:
        """Its parameters sent in ``location`` (``query``, ``path``, ``header``)."""
        return self._by_location.get(location, ())

    def parameter(self, name: str, location: str = "query") -> Parameter | None:
        """The parameter ``name`` in ``location``, or ``None``."""
        return next((p for p in self.parameters_in(location) if p.name == name), None)

    # Cached (the instance dict of a frozen record is still writable by
    # cached_property): the client and the mock read these on every request.
    @functools.cached_property
    def _by_location(self) -> dict[str, tuple[Parameter, ...]]:
        found: dict[str, tuple[Parameter, ...]] = {}
        for parameter in self.parameters:
            found[parameter.location] = (*found.get(parameter.location, ()), parameter)
        return found

    @functools.cached_property
    def query(self) -> tuple[Parameter, ...]:
        """Its query parameters, in the document's order."""
        return self.parameters_in("query")

    @functools.cached_property
    def path_params(self) -> tuple[Parameter, ...]:
        """Its path parameters, in the document's order."""
        return self.parameters_in("path")

    @functools.cached_property
    def headers(self) -> Mapping[str, str]:
        """Its fixed headers: required header parameters with one allowed value (the
        beta header), name -> value."""
        return {
            p.name: str(p.enum[0])
            for p in self.parameters_in("header")
            if p.required and p.enum is not None and len(p.enum) == 1
        }


@record()
class Resource:
    """A kind of object the spec's GET operations return (a page's entries included)."""

    object: str
    """Its ``object`` value, e.g. ``chatkit.thread``."""
    schema: str
    """Its component schema name."""
    parent: str | None = None
    """The path parameter of the listing it belongs to (``thread_id``), or ``None``."""


@record(slots=False)
class Spec:
    """The whole document, as typed objects."""

    version: str
    """``info.version``."""
    base_url: str
    """The first server's URL, without a trailing ``/`` (``""`` when none)."""
    operations: tuple[Operation, ...]
    schemas: Mapping[str, Schema] = EMPTY
    """``#/components/schemas``, name -> schema, in the document's order."""
    title: str = ""
    tags: Mapping[str, str] = EMPTY
    """The document's tags (the client's resources), name -> description."""

    def operation(self, operation_id: str) -> Operation:
        """The operation ``operation_id``; ``KeyError`` naming it when there is none."""
        found = self._by_id.get(operation_id)
        if found is None:
            raise KeyError(f"the spec has no operation {operation_id!r}")
        return found

    def schema(self, name: str) -> Schema:
        """The component schema ``name``; ``KeyError`` naming it when there is none."""
        found = self.schemas.get(name)
        if found is None:
            raise KeyError(f"the spec has no schema {name!r}")
        return found

    @functools.cached_property
    def _by_id(self) -> dict[str, Operation]:
        return {op.operation_id: op for op in self.operations}

    @property
    def base_path(self) -> str:
        """The path of the first server's URL (``/v1``), under which operations live."""
        from urllib.parse import urlsplit

        return urlsplit(self.base_url).path.rstrip("/")

    @functools.cached_property
    def fixed_headers(self) -> Mapping[str, str]:
        """The operations' fixed headers (required header parameters with one allowed
        value, such as the beta header), name -> value."""
        found: dict[str, str] = {}
        for op in self.operations:
            found.update(op.headers)
        return found

    @property
    def list_object(self) -> str:
        """The ``object`` of the spec's list envelopes (a paginated answer's)."""
        for op in self.operations:
            if op.paginated and op.response_object is not None:
                return op.response_object
        raise SpecError("the spec has no paginated operation (no answer with `has_more`)")

    @functools.cached_property
    def resources(self) -> Mapping[str, Resource]:
        """The kinds of object GET operations return, by ``object`` value, in order."""
        from ._build import object_const

        found: dict[str, Resource] = {}
        for op in self.operations:
            if op.method != "GET":
                continue
            name, parent = op.response_schema, None
            if op.paginated:
                name = op.page_items
                paths = op.path_params
                parent = paths[0].name if len(paths) == 1 else None
            kind = None if name is None else object_const(self.schemas, name)
            if name is not None and kind is not None and kind not in found:
                found[kind] = Resource(kind, name, parent)
        return found
