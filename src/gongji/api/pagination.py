"""Relay connections: every list that can grow has the same shape (edges, node, cursor,
pageInfo, totalCount) and pages forward with `first`/`after`, newest first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Generic, TypeVar

import strawberry

from gongji.pagination import DEFAULT_PAGE, MAX_PAGE

T = TypeVar("T")

FIRST_DESCRIPTION = f"Page size, 1–{MAX_PAGE} (default {DEFAULT_PAGE})."
AFTER_DESCRIPTION = "The `endCursor` of the previous page; omit it for the newest items."


@strawberry.type(description="Where a page stands (Relay). Pages run newest first, forward only.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when older items follow.")
    has_previous_page: bool = strawberry.field(
        description="Always false: pages are read forward from the newest with `after`."
    )
    start_cursor: str | None = strawberry.field(description="The cursor of the first edge.")
    end_cursor: str | None = strawberry.field(
        description="Pass it as `after` to read the next page; null on an empty page."
    )


@strawberry.type(description="One item of a page and the cursor that points at it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque; pass it as `after` to read past it.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of items, newest first (Relay connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Whether more follow, and cursors.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items match, over all pages (one extra count).")
    async def total_count(self) -> int:
        return await self.count()


def page_info(cursors: list[str], has_next: bool) -> PageInfo:
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=False,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


def connection(
    items: Iterable[tuple[str, T]], has_next: bool, count: Callable[[], Awaitable[int]]
) -> Connection[T]:
    """Build a page from (cursor, node) pairs; `count` runs only if totalCount is asked."""
    edges = [Edge(cursor=cursor, node=node) for cursor, node in items]
    return Connection(
        edges=edges, page_info=page_info([e.cursor for e in edges], has_next), count=count
    )
