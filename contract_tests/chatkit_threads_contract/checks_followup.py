"""ChatKit checks that send follow-up requests to confirm what one response claims.

They only ever send GET requests, to the run's server with the credentials of the
request under test (see `followup`). A verification that passed is remembered by the
run (`RunTarget.verified`), so identical data is not re-checked on every generated case.
When one fails, its reproducer is the follow-up request that showed the failure.
"""

from __future__ import annotations

import secrets
from typing import Any

from .adapter import Case, CheckContext, Response
from .checks_page import require_all_ok, require_each_once, require_sorted, state_of, walk_ids
from .followup import Followup, Page
from .registry import (
    SKIP,
    Listed,
    body_of,
    listed,
    on_list_page_with_followup,
    on_response_with_followup,
    require,
    role,
)

__all__ = [
    "data_isolated_per_key",
    "deleted_thread_vanishes",
    "list_cursors_exclusive",
    "list_has_more_truthful",
    "list_limit_bounds",
    "list_user_filter_respected",
    "list_walk_complete",
    "unknown_thread_is_404",
]


def _thread_id(case: Case) -> str | None:
    value = next(iter((case.path_parameters or {}).values()), None)
    return value if isinstance(value, str) else None


def _verified(follow: Followup, *key: Any) -> bool:
    return key in follow.target.verified


def _seen(follow: Followup, *key: Any) -> None:
    """Remember `key` as verified; call it after the requirements that verify it."""
    follow.target.verified.add(key)


@on_list_page_with_followup
def list_has_more_truthful(listed: Listed, follow: Followup) -> bool | None:
    """`has_more` is true exactly when another page follows in the direction of reading.

    Forwards that is `after=<last_id>`; for a page requested with `before` alone it is
    `before=<first_id>` (the spec: "beyond this page in the direction of reading").
    """
    page, query = listed.page, listed.query
    limit, order = listed.limit, listed.order
    backward = bool(query.get("before")) and not query.get("after")
    if limit is None or order is None or not page.ids:
        return SKIP
    if query.get("before") and query.get("after"):
        return SKIP  # a range between two cursors: the spec leaves has_more to reading forwards
    direction = "before" if backward else "after"
    state = (
        "has_more",
        direction,
        order,
        limit,
        *state_of(follow, listed.path, listed.filters, page),
    )
    if _verified(follow, *state):
        return None
    cursor = page.first_id if backward else page.last_id
    nxt = follow.page(
        listed.path, limit=max(limit, 1), order=order, **{direction: cursor}, **listed.filters
    )
    if nxt.status != 200:
        return SKIP  # another check reports a failing follow-up; this one judges has_more only
    following = f"{direction}={'first_id' if backward else 'last_id'}"
    if page.has_more:
        require(
            nxt.ids,
            f"has_more is true but the next page ({following}) is empty",
        )
    else:
        require(
            not nxt.ids,
            f"has_more is false but {following} still returns {nxt.ids[:3]}",
        )
    _seen(follow, *state)
    return None


@on_list_page_with_followup
def list_cursors_exclusive(listed: Listed, follow: Followup) -> bool | None:
    """`after=X` starts right after X and `before=X` ends right before X; X itself never returns."""
    page, order = listed.page, listed.order
    if order is None or len(page.ids) < 2:
        return SKIP
    path, filters = listed.path, listed.filters
    state = ("cursors", order, *state_of(follow, path, filters, page))
    if _verified(follow, *state):
        return None
    first, second, last, before_last = page.ids[0], page.ids[1], page.ids[-1], page.ids[-2]
    after = follow.page(path, limit=1, order=order, after=first, **filters)
    require(
        after.status == 200,
        f"after={first!r} (an id just listed) answered HTTP {after.status}",
    )
    require(
        first not in after.ids,
        f"after={first!r} returned {first!r} itself (inclusive cursor)",
    )
    require(
        after.ids == [second],
        f"after={first!r} should start with {second!r}, got {after.ids}",
    )
    before = follow.page(path, limit=1, order=order, before=last, **filters)
    require(
        before.status == 200,
        f"before={last!r} (an id just listed) answered HTTP {before.status}",
    )
    require(
        last not in before.ids,
        f"before={last!r} returned {last!r} itself (inclusive cursor)",
    )
    require(
        before.ids == [before_last],
        f"before={last!r} should end with {before_last!r}, got {before.ids}",
    )
    _seen(follow, *state)
    return None


@on_list_page_with_followup
def list_walk_complete(listed: Listed, follow: Followup) -> bool | None:
    """Walking every page (after and before, both orders) returns each entry once, in order."""
    if listed.cursored or listed.limit is None or listed.order is None:
        return SKIP
    contract = listed.contract
    path, filters = listed.path, listed.filters
    largest = contract.limit_max
    asc, desc = contract.ascending, contract.descending
    everything = follow.page(path, limit=largest, order=asc, **filters)
    if everything.status != 200:
        return SKIP
    state = state_of(follow, path, filters, everything)
    if _verified(follow, "walk", *state):
        return None
    # About five pages per walk: enough pages to exercise cursors, few enough requests.
    size = max(1, len(everything.ids) // 5) if not everything.has_more else largest
    walks: dict[str, list[Page]] = {}
    for order in (asc, desc):
        pages = follow.walk(path, limit=size, order=order, **filters)
        require_all_ok(pages, f"the order={order} walk")
        ids = walk_ids(pages)
        require_each_once(ids, f"the order={order} walk (limit={size})")
        created_at = [c for p in pages for c in p.created_at]
        require_sorted(created_at, order, contract, f"the order={order} walk")
        walks[order] = pages
    asc_ids, desc_ids = walk_ids(walks[asc]), walk_ids(walks[desc])
    require(
        asc_ids == desc_ids[::-1],
        f"the order={asc} walk is not the order={desc} walk reversed",
    )
    if not everything.has_more:
        require(
            asc_ids == everything.ids,
            f"the walk with limit={size} returns {len(asc_ids)} entries, "
            f"one page with limit={largest} returns {len(everything.ids)}",
        )
    if asc_ids:
        # Backwards from the last entry with `before=<first_id>`: the entries before it, once each.
        back_pages = follow.walk(
            path, limit=size, order=asc, direction="before", before=asc_ids[-1], **filters
        )
        require_all_ok(back_pages, "the before= walk")
        back_ids = [item for p in reversed(back_pages) for item in p.ids] + [asc_ids[-1]]
        require_each_once(back_ids, f"the before= walk (limit={size})")
        require(
            back_ids == asc_ids,
            f"walking back with before= returns {len(back_ids)} entries in another order "
            f"or set than walking forward ({len(asc_ids)})",
        )
    _seen(follow, "walk", *state)
    return None


@on_list_page_with_followup
def list_limit_bounds(listed: Listed, follow: Followup) -> bool | None:
    """The smallest `limit` gives at most that many entries; the largest extends this page."""
    order = listed.order
    if order is None or listed.cursored or listed.limit is None:
        return SKIP
    contract, page = listed.contract, listed.page
    path, filters = listed.path, listed.filters
    state = ("limits", order, *state_of(follow, path, filters, page))
    if _verified(follow, *state):
        return None
    smallest, largest = contract.limit_min, contract.limit_max
    low = follow.page(path, limit=smallest, order=order, **filters)
    require(
        low.status == 200,
        f"limit={smallest} answered HTTP {low.status}",
    )
    require(
        len(low.ids) <= smallest,
        f"limit={smallest} returned {len(low.ids)} entries",
    )
    if not low.ids:
        require(
            (low.first_id, low.last_id) == (None, None),
            f"limit={smallest} page is empty but has first_id/last_id set",
        )
    full = follow.page(path, limit=largest, order=order, **filters)
    require(
        full.status == 200,
        f"limit={largest} answered HTTP {full.status}",
    )
    require(
        len(full.ids) <= largest,
        f"limit={largest} returned {len(full.ids)} entries",
    )
    require(
        full.ids[: len(page.ids)] == page.ids,
        f"the limit={largest} page does not start with the entries of this smaller page",
    )
    require(
        len(full.ids) >= len(page.ids),
        f"limit={largest} returned fewer entries than a smaller limit",
    )
    _seen(follow, *state)
    return None


@on_response_with_followup
def list_user_filter_respected(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """`user=U` lists only U's threads, and finds a thread listed as U's without the filter."""
    page_of = listed(case, response)
    if page_of is None or page_of.role != "list_threads":
        return SKIP
    page, query = page_of.page, page_of.query
    if "user" in query:
        others = {u for u in page.users if u != query["user"]}
        require(
            not others,
            f"user={query['user']!r} also lists threads of {sorted(map(str, others))[:3]}",
        )
        return None
    follow = Followup.from_response(response)
    if follow is None or not page.ids or not isinstance(page.users[0], str) or not page.users[0]:
        return SKIP
    user, thread_id = page.users[0], page.ids[0]
    state = ("user", user, thread_id, follow.base_url, follow.headers.get("Authorization"))
    if _verified(follow, *state):
        return None
    contract = page_of.contract
    pages = follow.walk(contract.path_of("list_threads"), limit=contract.limit_max, user=user)
    require_all_ok(pages, f"listing user={user!r}")
    users = {u for p in pages for u in p.users}
    require(
        users <= {user},
        f"user={user!r} also lists threads of {sorted(map(str, users - {user}))[:3]}",
    )
    require(
        thread_id in walk_ids(pages),
        f"user={user!r} does not list {thread_id!r}, a thread of that user",
    )
    _seen(follow, *state)
    return None


@on_response_with_followup
def deleted_thread_vanishes(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """After a delete, the thread and its items give 404 and no listing shows it."""
    follow = Followup.from_response(response)
    if follow is None or response.status_code != 200:
        return SKIP
    contract = follow.target.contract
    thread_id = _thread_id(case)
    if role(case, contract) != "delete_thread" or thread_id is None:
        return SKIP
    body = body_of(response)
    require(
        isinstance(body, dict) and body.get("id") == thread_id and body.get("deleted") is True,
        f"delete of {thread_id!r} answered {body!r}",
    )
    retrieve = follow.request("GET", contract.path_of("retrieve_thread", thread_id))
    require(
        retrieve.status_code == 404,
        f"retrieving deleted {thread_id!r} gives HTTP {retrieve.status_code}",
    )
    items = follow.request("GET", contract.path_of("list_items", thread_id))
    require(
        items.status_code == 404,
        f"items of deleted {thread_id!r} give HTTP {items.status_code}",
    )
    pages = follow.walk(
        contract.path_of("list_threads"), limit=contract.limit_max, order=contract.descending
    )
    require(
        thread_id not in walk_ids(pages),
        f"deleted {thread_id!r} is still listed",
    )
    return None


@on_response_with_followup
def unknown_thread_is_404(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A thread id that never existed gives 404 with the error envelope, for retrieve and items."""
    follow = Followup.from_response(response)
    if follow is None or response.status_code in (401, 403):
        return SKIP
    contract = follow.target.contract
    kind = role(case, contract)
    if kind not in ("retrieve_thread", "list_items"):
        return SKIP
    state = ("unknown", kind, follow.base_url, follow.headers.get("Authorization"))
    if _verified(follow, *state):
        return None
    path = contract.path_of(kind, f"cthr_contract_missing_{secrets.token_hex(6)}")
    answer = follow.request("GET", path)
    require(
        answer.status_code == 404,
        f"GET {path} gives HTTP {answer.status_code}",
    )
    body = (
        answer.json()
        if answer.headers.get("content-type", "").startswith("application/json")
        else None
    )
    require(
        isinstance(body, dict) and isinstance(body.get("error"), dict),
        "404 for an unknown thread lacks the error envelope",
    )
    _seen(follow, *state)
    return None


@on_response_with_followup
def data_isolated_per_key(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Threads seen with one API key are invisible to another (needs `other_api_key`)."""
    follow = Followup.from_response(response)
    if follow is None or not follow.target.other_api_key or response.status_code != 200:
        return SKIP
    contract = follow.target.contract
    kind = role(case, contract)
    other = follow.with_key(follow.target.other_api_key)
    if kind == "list_threads":
        page_of = listed(case, response)
        if page_of is None or not page_of.page.ids:
            return SKIP
        path = contract.path_of("list_threads")
        theirs = set(walk_ids(other.walk(path, limit=contract.limit_max)))
        shared = [item for item in page_of.page.ids if item in theirs]
        require(
            not shared,
            f"threads {shared[:3]} are listed for two API keys",
        )
        return None
    thread_id = _thread_id(case)
    if kind not in ("retrieve_thread", "list_items") or thread_id is None:
        return SKIP
    answer = other.request("GET", contract.path_of(kind, thread_id))
    require(
        answer.status_code == 404,
        f"thread {thread_id!r} of one API key answers HTTP {answer.status_code} to another key",
    )
    return None
