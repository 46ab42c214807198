"""Reading notices: a member's own, newest first; one by id for live delivery."""

from __future__ import annotations

import uuid

from tortoise.queryset import QuerySet

from gongji.notices.models import Notice


def for_member(member_id: uuid.UUID, *, unread_only: bool = False) -> QuerySet[Notice]:
    query = Notice.filter(recipient_id=member_id)
    return query.filter(read_at=None) if unread_only else query


async def delivered(notice_id: uuid.UUID, member_id: uuid.UUID) -> Notice | None:
    """The notice, if it is this member's (a live event names both; trust neither alone)."""
    return await Notice.get_or_none(id=notice_id, recipient_id=member_id)


async def unread_count(member_id: uuid.UUID) -> int:
    return await Notice.filter(recipient_id=member_id, read_at=None).count()
