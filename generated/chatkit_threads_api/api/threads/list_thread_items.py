from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.open_ai_beta import OpenAIBeta
from ...models.sort_order import SortOrder
from ...models.thread_item_list_resource import ThreadItemListResource
from ...types import UNSET, Response, Unset


def _get_kwargs(
    thread_id: str,
    *,
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: SortOrder | Unset = UNSET,
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

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/chatkit/threads/{thread_id}/items".format(
            thread_id=quote(str(thread_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ThreadItemListResource | None:
    if response.status_code == 200:
        response_200 = ThreadItemListResource.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

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
) -> Response[ErrorResponse | ThreadItemListResource]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    thread_id: str,
    *,
    client: AuthenticatedClient | Client,
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: SortOrder | Unset = UNSET,
    open_ai_beta: OpenAIBeta,
) -> Response[ErrorResponse | ThreadItemListResource]:
    """List ChatKit thread items

     List items that belong to a ChatKit thread, ordered by creation time; the next
    page is requested with `after=<last_id>`.

    Args:
        thread_id (str):
        after (str | Unset):
        before (str | Unset):
        limit (int | Unset):  Default: 20.
        order (SortOrder | Unset): Sort order by creation time.
        open_ai_beta (OpenAIBeta):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ThreadItemListResource]
    """

    kwargs = _get_kwargs(
        thread_id=thread_id,
        after=after,
        before=before,
        limit=limit,
        order=order,
        open_ai_beta=open_ai_beta,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    thread_id: str,
    *,
    client: AuthenticatedClient | Client,
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: SortOrder | Unset = UNSET,
    open_ai_beta: OpenAIBeta,
) -> ErrorResponse | ThreadItemListResource | None:
    """List ChatKit thread items

     List items that belong to a ChatKit thread, ordered by creation time; the next
    page is requested with `after=<last_id>`.

    Args:
        thread_id (str):
        after (str | Unset):
        before (str | Unset):
        limit (int | Unset):  Default: 20.
        order (SortOrder | Unset): Sort order by creation time.
        open_ai_beta (OpenAIBeta):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ThreadItemListResource
    """

    return sync_detailed(
        thread_id=thread_id,
        client=client,
        after=after,
        before=before,
        limit=limit,
        order=order,
        open_ai_beta=open_ai_beta,
    ).parsed


async def asyncio_detailed(
    thread_id: str,
    *,
    client: AuthenticatedClient | Client,
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: SortOrder | Unset = UNSET,
    open_ai_beta: OpenAIBeta,
) -> Response[ErrorResponse | ThreadItemListResource]:
    """List ChatKit thread items

     List items that belong to a ChatKit thread, ordered by creation time; the next
    page is requested with `after=<last_id>`.

    Args:
        thread_id (str):
        after (str | Unset):
        before (str | Unset):
        limit (int | Unset):  Default: 20.
        order (SortOrder | Unset): Sort order by creation time.
        open_ai_beta (OpenAIBeta):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ThreadItemListResource]
    """

    kwargs = _get_kwargs(
        thread_id=thread_id,
        after=after,
        before=before,
        limit=limit,
        order=order,
        open_ai_beta=open_ai_beta,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    thread_id: str,
    *,
    client: AuthenticatedClient | Client,
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
    limit: int | Unset = 20,
    order: SortOrder | Unset = UNSET,
    open_ai_beta: OpenAIBeta,
) -> ErrorResponse | ThreadItemListResource | None:
    """List ChatKit thread items

     List items that belong to a ChatKit thread, ordered by creation time; the next
    page is requested with `after=<last_id>`.

    Args:
        thread_id (str):
        after (str | Unset):
        before (str | Unset):
        limit (int | Unset):  Default: 20.
        order (SortOrder | Unset): Sort order by creation time.
        open_ai_beta (OpenAIBeta):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ThreadItemListResource
    """

    return (
        await asyncio_detailed(
            thread_id=thread_id,
            client=client,
            after=after,
            before=before,
            limit=limit,
            order=order,
            open_ai_beta=open_ai_beta,
        )
    ).parsed
