from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.deleted_thread_resource import DeletedThreadResource
from ...models.error_response import ErrorResponse
from ...models.open_ai_beta import OpenAIBeta
from ...types import Response


def _get_kwargs(
    thread_id: str,
    *,
    open_ai_beta: OpenAIBeta,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["OpenAI-Beta"] = str(open_ai_beta)

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/chatkit/threads/{thread_id}".format(
            thread_id=quote(str(thread_id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeletedThreadResource | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = DeletedThreadResource.from_dict(response.json())

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
) -> Response[DeletedThreadResource | ErrorResponse]:
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
    open_ai_beta: OpenAIBeta,
) -> Response[DeletedThreadResource | ErrorResponse]:
    """Delete a ChatKit thread

     Delete a ChatKit thread together with its items and stored attachments.
    Afterwards retrieving, listing the items of, or deleting the thread gives 404.

    Args:
        thread_id (str):
        open_ai_beta (OpenAIBeta):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeletedThreadResource | ErrorResponse]
    """

    kwargs = _get_kwargs(
        thread_id=thread_id,
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
    open_ai_beta: OpenAIBeta,
) -> DeletedThreadResource | ErrorResponse | None:
    """Delete a ChatKit thread

     Delete a ChatKit thread together with its items and stored attachments.
    Afterwards retrieving, listing the items of, or deleting the thread gives 404.

    Args:
        thread_id (str):
        open_ai_beta (OpenAIBeta):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeletedThreadResource | ErrorResponse
    """

    return sync_detailed(
        thread_id=thread_id,
        client=client,
        open_ai_beta=open_ai_beta,
    ).parsed


async def asyncio_detailed(
    thread_id: str,
    *,
    client: AuthenticatedClient | Client,
    open_ai_beta: OpenAIBeta,
) -> Response[DeletedThreadResource | ErrorResponse]:
    """Delete a ChatKit thread

     Delete a ChatKit thread together with its items and stored attachments.
    Afterwards retrieving, listing the items of, or deleting the thread gives 404.

    Args:
        thread_id (str):
        open_ai_beta (OpenAIBeta):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeletedThreadResource | ErrorResponse]
    """

    kwargs = _get_kwargs(
        thread_id=thread_id,
        open_ai_beta=open_ai_beta,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    thread_id: str,
    *,
    client: AuthenticatedClient | Client,
    open_ai_beta: OpenAIBeta,
) -> DeletedThreadResource | ErrorResponse | None:
    """Delete a ChatKit thread

     Delete a ChatKit thread together with its items and stored attachments.
    Afterwards retrieving, listing the items of, or deleting the thread gives 404.

    Args:
        thread_id (str):
        open_ai_beta (OpenAIBeta):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeletedThreadResource | ErrorResponse
    """

    return (
        await asyncio_detailed(
            thread_id=thread_id,
            client=client,
            open_ai_beta=open_ai_beta,
        )
    ).parsed
