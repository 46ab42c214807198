"""Keyset pages, newest first, on (a time column, the primary key).

No OFFSET: a page is "rows older than the cursor", so pages stay stable while new rows
arrive. A cursor is opaque to clients: base64 of "<iso time>|<key>".
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from gongji.errors import DomainError, ErrorCode, bilingual

DEFAULT_PAGE = 20
MAX_PAGE = 100

M = TypeVar("M", bound=Model)


def page_size(first: int | None) -> int:
    size = DEFAULT_PAGE if first is None else first
    if not 1 <= size <= MAX_PAGE:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "first",
            {"reason": bilingual(f"每页1–{MAX_PAGE}条", f"1–{MAX_PAGE} per page")},
        )
    return size


def encode_cursor(moment: datetime, key: uuid.UUID) -> str:
    raw = f"{moment.isoformat()}|{key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, key = base64.urlsafe_b64decode(padded).decode().split("|")
        return datetime.fromisoformat(moment), uuid.UUID(key)
    except (ValueError, UnicodeDecodeError):
        raise DomainError(
            ErrorCode.INVALID_INPUT, "after", {"reason": bilingual("游标无效", "bad cursor")}
        ) from None


@dataclass(frozen=True)
class Keyset:
    """How a table is paged: its time column (every primary key is a UUID)."""

    time_field: str = "created_at"

    def cursor_of(self, row: Model) -> str:
        return encode_cursor(getattr(row, self.time_field), row.pk)

    def older_than(self, query: QuerySet[M], after: str | None) -> QuerySet[M]:
        """Rows after the cursor, newest first (UUIDs order the same as text and as bytes)."""
        if after:
            moment, key = decode_cursor(after)
            # Typed as Any: Q's keyword `join_type` would otherwise claim these arguments.
            older: dict[str, Any] = {f"{self.time_field}__lt": moment}
            same_time: dict[str, Any] = {self.time_field: moment, "id__lt": key}
            query = query.filter(Q(**older) | Q(**same_time))
        return query.order_by(f"-{self.time_field}", "-id")


@dataclass(frozen=True)
class Page(Generic[M]):
    rows: list[M]
    has_next: bool


async def page(
    query: QuerySet[M], first: int | None, after: str | None, keyset: Keyset = Keyset()
) -> Page[M]:
    """One page of `query`, newest first; one query (it reads one row more to know if more)."""
    size = page_size(first)
    rows = await keyset.older_than(query, after).limit(size + 1)
    return Page(rows[:size], len(rows) > size)


async def batches(
    query: QuerySet[M], keyset: Keyset = Keyset(), size: int = 1000
) -> AsyncIterator[list[M]]:
    """Every row of `query`, newest first, in keyset batches (exports)."""
    after: str | None = None
    while True:
        rows = await keyset.older_than(query, after).limit(size)
        if not rows:
            return
        yield rows
        after = keyset.cursor_of(rows[-1])
