"""Walking a sortable, keyset-paged HTML list (taskforce.listing) the way a person clicks it."""

from __future__ import annotations

from typing import Any

from django.test import Client


def walk(client: Client, url: str, **params: Any) -> list[Any]:
    """Every row of the list, following "Next page" to the end and then "Previous page" back to
    the start; both ways must give the same rows in the same order."""
    response = client.get(url, params)
    pages = []
    while True:
        assert response.status_code == 200, response.content.decode()[:500]
        listing = response.context["listing"]
        pages.append([_key(row) for row in listing.rows])
        if not listing.next_url:
            break
        assert 'rel="next"' in response.content.decode()
        response = client.get(listing.next_url)
    back = [pages[-1]]
    while listing.previous_url:
        response = client.get(listing.previous_url)
        assert response.status_code == 200
        listing = response.context["listing"]
        back.append([_key(row) for row in listing.rows])
    assert back[::-1] == pages, "paging back gives other pages than paging forward"
    return [row for page in pages for row in page]


def _key(row: Any) -> Any:
    if isinstance(row, dict):
        row = next(v for v in row.values() if hasattr(v, "pk"))
    return row.pk


def assert_refuses_bad_input(client: Client, url: str, *, sort: str) -> None:
    """An unknown sort, a forged cursor, a cursor of another order and a page size off the list
    are each a 400 that says why."""
    response = client.get(url, {"sort": "nope"})
    assert response.status_code == 400
    assert "cannot be sorted by" in response.content.decode()
    for cursor in ("garbage", "eyJ2IjpbMSwyXSwiZCI6Im4ifQ:abc:def"):
        response = client.get(url, {"cursor": cursor})
        assert response.status_code == 400
        assert "page position is not valid" in response.content.decode()
    first = client.get(url, {"sort": sort, "size": 10})
    cursor = first.context["listing"].next_cursor
    if cursor:  # made for one order, refused for another
        assert client.get(url, {"sort": sort, "size": 10, "cursor": cursor}).status_code == 200
        assert client.get(url, {"sort": f"-{sort}".replace("--", ""), "cursor": cursor}).status_code == 400
    assert client.get(url, {"size": "7"}).status_code == 400
    assert client.get(url, {"size": "\uff11\uff10"}).status_code == 400


def assert_orders(
    client: Client, url: str, visible: list[Any], orders: dict[str, Any], *, size: int = 10, **params: Any
) -> None:
    """Each sort key, both ways, pages through exactly the ``visible`` rows in the order of its
    Python key (then the id, as the list breaks ties)."""
    assert len(visible) > size, "too few rows to page"
    for sort, key in orders.items():
        for direction in ("", "-"):
            got = walk(client, url, sort=f"{direction}{sort}", size=size, **params)
            expected = sorted(visible, key=lambda row: (key(row), row.pk), reverse=direction == "-")
            assert got == [row.pk for row in expected], f"{direction}{sort}"
