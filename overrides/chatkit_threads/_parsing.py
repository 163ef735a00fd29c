"""Parsing a 2xx response body into the operation's result model.

Built once per operation and mode (lenient or strict) and cached; every message raised
here has the client's API key redacted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from chatkit_threads_spec import Operation

from ._exceptions import APIError, ResponseValidationError
from ._schema import Spec
from ._secrets import redact, scrub
from ._strict import check
from ._tables import MODELS

__all__ = ["Parse", "bound", "parser"]


def _decode(response: httpx.Response, secret: str) -> dict[str, Any]:
    """The JSON object of a 2xx body; a body that is not one is an ``APIError``."""
    try:
        data = json.loads(response.content)
    except (ValueError, RecursionError) as exc:
        # Redacted before it is cut, so no part of an echoed key survives the cut.
        # Not response.text: its charset is the server's to name, and some names
        # ("rot13", "hex", "idna") make decoding raise instead of decode.
        text = redact(response.content.decode("utf-8", errors="replace"), secret)
        snippet = " ".join(text.split())[:200]
        why = "nested too deeply" if isinstance(exc, RecursionError) else "not JSON"
        raise APIError(
            f"Expected a JSON body from {response.request.method} {response.request.url} "
            f"(status {response.status_code}), got ({why}): {snippet!r}",
            response.request,
            body=text,
        ) from None
    if type(data) is not dict:
        raise APIError(
            f"Expected a JSON object from {response.request.method} {response.request.url}, "
            f"got a JSON {type(data).__name__}",
            response.request,
            body=data,
        )
    return data


def _identity_check(spec: Spec) -> Callable[[httpx.Response, dict[str, Any], str], None]:
    """Lenient mode tolerates drift, not a body that is not the resource at all: the
    ``object`` the spec fixes must be there, and a deletion result must say ``deleted``."""
    object_field = spec.fields.get("object")
    expected = object_field.const if object_field is not None else None
    deleted = spec.fields.get("deleted")
    confirm = deleted is not None and deleted.kind == "boolean"

    def identity(response: httpx.Response, data: dict[str, Any], secret: str) -> None:
        request = response.request
        if expected is not None and data.get("object") != expected:
            got = redact(str(data.get("object", "<missing>")), secret)[:80]
            raise APIError(
                f"Expected a {expected!r} object from {request.method} {request.url}, "
                f"got object={got!r}: the body is not a {spec.name}",
                request,
                body=scrub(data, secret),
            )
        if confirm and type(data.get("deleted")) is not bool:
            got = redact(str(data.get("deleted", "<missing>")), secret)[:80]
            raise APIError(
                f"{request.method} {request.url} answered {response.status_code} without "
                f"saying whether it deleted (deleted={got!r})",
                request,
                body=scrub(data, secret),
            )

    return identity


Parse = Callable[[httpx.Response, str], Any]
_PARSERS: dict[tuple[str, bool], Parse] = {}


def parser(op: Operation, strict: bool) -> Parse:
    """The body parser of ``op`` (built once per operation and mode); it takes the
    response and the client's key, which no message it raises may contain."""
    key = (op.operation_id, strict)
    found = _PARSERS.get(key)
    if found is not None:
        return found
    spec = MODELS()[str(op.response_schema)]
    build = spec.build
    identity = _identity_check(spec)
    what = f"{op.operation_id} response"

    def parse(response: httpx.Response, secret: str) -> Any:
        data = _decode(response, secret)
        try:
            if strict:
                check(spec.name, data, what=what)
            identity(response, data, secret)
            result = build(data)
            # Kept for `_request_id` (read lazily, so a call pays one attribute store).
            result._response_headers = response.headers
            return result
        except ResponseValidationError as exc:
            # Its problems quote values from the body, which may echo the key.
            raise exc.redacted(secret) from None
        except APIError:
            raise
        except RecursionError:
            raise APIError(
                f"The {what} from {response.request.method} {response.request.url} is "
                "nested too deeply to parse",
                response.request,
                body=None,
            ) from None
        except Exception as exc:
            # Lenient parsing tolerates drift, but a body no model can be built from
            # (a discriminator that is a list, say) is still the library's error.
            text = f"{type(exc).__name__}: {exc}"
            detail = redact(text, secret)
            raise APIError(
                f"Could not parse the {what} from {response.request.method} "
                f"{response.request.url}: {detail}",
                response.request,
                body=scrub(data, secret),
            ) from (exc if detail == text else None)

    _PARSERS[key] = parse
    return parse


def bound(parse: Parse, secret: str) -> Callable[[httpx.Response], Any]:
    """``parse`` with the key it must keep out of its messages."""

    def parse_response(response: httpx.Response) -> Any:
        return parse(response, secret)

    return parse_response
