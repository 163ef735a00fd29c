from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.open_ai_beta import OpenAIBeta
from ...models.sort_order import SortOrder
from ...models.thread_list_resource import ThreadListResource
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: SortOrder | Unset = UNSET,
    user: str | Unset = UNSET,
    open_ai_beta: OpenAIBeta,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["OpenAI-Beta"] = str(open_ai_beta)

    params: dict[str, Any] = {}

    params["after"] = after

    params["before"] = before

    params["limit"] = limit

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order

    params["order"] = json_order

    params["user"] = user

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/chatkit/threads",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ThreadListResource | None:
    if response.status_code == 200:
        response_200 = ThreadListResource.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if 500 <= response.status_code <= 599:
        response_5xx = ErrorResponse.from_dict(response.json())

        return response_5xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | ThreadListResource]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: SortOrder | Unset = UNSET,
    user: str | Unset = UNSET,
    open_ai_beta: OpenAIBeta,
) -> Response[ErrorResponse | ThreadListResource]:
    """List ChatKit threads

     List ChatKit threads with optional pagination and user filters. Threads are
    ordered by creation time; the next page is requested with `after=<last_id>`.

    Args:
        after (str | Unset):
        before (str | Unset):
        limit (int | Unset):  Default: 20.
        order (SortOrder | Unset): Sort order by creation time.
        user (str | Unset):
        open_ai_beta (OpenAIBeta):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ThreadListResource]
    """

    kwargs = _get_kwargs(
        after=after,
        before=before,
        limit=limit,
        order=order,
        user=user,
        open_ai_beta=open_ai_beta,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: SortOrder | Unset = UNSET,
    user: str | Unset = UNSET,
    open_ai_beta: OpenAIBeta,
) -> ErrorResponse | ThreadListResource | None:
    """List ChatKit threads

     List ChatKit threads with optional pagination and user filters. Threads are
    ordered by creation time; the next page is requested with `after=<last_id>`.

    Args:
        after (str | Unset):
        before (str | Unset):
        limit (int | Unset):  Default: 20.
        order (SortOrder | Unset): Sort order by creation time.
        user (str | Unset):
        open_ai_beta (OpenAIBeta):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ThreadListResource
    """

    return sync_detailed(
        client=client,
        after=after,
        before=before,
        limit=limit,
        order=order,
        user=user,
        open_ai_beta=open_ai_beta,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: SortOrder | Unset = UNSET,
    user: str | Unset = UNSET,
    open_ai_beta: OpenAIBeta,
) -> Response[ErrorResponse | ThreadListResource]:
    """List ChatKit threads

     List ChatKit threads with optional pagination and user filters. Threads are
    ordered by creation time; the next page is requested with `after=<last_id>`.

    Args:
        after (str | Unset):
        before (str | Unset):
        limit (int | Unset):  Default: 20.
        order (SortOrder | Unset): Sort order by creation time.
        user (str | Unset):
        open_ai_beta (OpenAIBeta):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ThreadListResource]
    """

    kwargs = _get_kwargs(
        after=after,
        before=before,
        limit=limit,
        order=order,
        user=user,
        open_ai_beta=open_ai_beta,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: SortOrder | Unset = UNSET,
    user: str | Unset = UNSET,
    open_ai_beta: OpenAIBeta,
) -> ErrorResponse | ThreadListResource | None:
    """List ChatKit threads

     List ChatKit threads with optional pagination and user filters. Threads are
    ordered by creation time; the next page is requested with `after=<last_id>`.

    Args:
        after (str | Unset):
        before (str | Unset):
        limit (int | Unset):  Default: 20.
        order (SortOrder | Unset): Sort order by creation time.
        user (str | Unset):
        open_ai_beta (OpenAIBeta):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ThreadListResource
    """

    return (
        await asyncio_detailed(
            client=client,
            after=after,
            before=before,
            limit=limit,
            order=order,
            user=user,
            open_ai_beta=open_ai_beta,
        )
    ).parsed
