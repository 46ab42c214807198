"""Keyset pages: every row once, newest first, even when many rows share one time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from gongji import pagination
from gongji.errors import DomainError, ErrorCode
from gongji.identity.models import WechatUser

pytestmark = pytest.mark.usefixtures("clean_db")

T0 = datetime(2026, 3, 1, tzinfo=UTC)


async def _users(n: int) -> None:
    # Three rows per second: ties on the time column are broken by the UUID key.
    for i in range(n):
        await WechatUser.create(
            id=uuid.uuid4(), openid=f"page-{i}", created_at=T0 + timedelta(seconds=i // 3)
        )


async def test_pages_cover_every_row_once_newest_first() -> None:
    await _users(25)
    seen: list[WechatUser] = []
    after = None
    while True:
        page = await pagination.page(WechatUser.all(), 10, after)
        seen += page.rows
        if not page.has_next:
            break
        after = pagination.Keyset().cursor_of(page.rows[-1])
    assert len(seen) == 25 == len({u.id for u in seen})
    keys = [(u.created_at, str(u.id)) for u in seen]
    assert keys == sorted(keys, reverse=True)


async def test_a_row_inserted_meanwhile_does_not_shift_later_pages() -> None:
    await _users(6)
    first = await pagination.page(WechatUser.all(), 3, None)
    await WechatUser.create(id=uuid.uuid4(), openid="newest", created_at=T0 + timedelta(days=1))
    second = await pagination.page(
        WechatUser.all(), 3, pagination.Keyset().cursor_of(first.rows[-1])
    )
    assert {u.openid for u in first.rows} | {u.openid for u in second.rows} == {
        f"page-{i}" for i in range(6)
    }
    assert not second.has_next


@pytest.mark.parametrize("first", [0, 101, -1])
async def test_page_size_outside_1_to_100_is_a_typed_error(first: int) -> None:
    with pytest.raises(DomainError) as caught:
        await pagination.page(WechatUser.all(), first, None)
    assert (caught.value.code, caught.value.field) == (ErrorCode.INVALID_INPUT, "first")


@pytest.mark.parametrize("cursor", ["not-a-cursor", "MjAyNnw", "!!!"])
async def test_a_forged_cursor_is_a_typed_error(cursor: str) -> None:
    with pytest.raises(DomainError) as caught:
        await pagination.page(WechatUser.all(), 10, cursor)
    assert (caught.value.code, caught.value.field) == (ErrorCode.INVALID_INPUT, "after")
