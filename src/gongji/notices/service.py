"""Notices 通知: every event a person should know of, written in the change's transaction.

The one entry point for other domains, called inside their unit of work::

    from gongji.notices import service as notices
    await notices.notify(recipient_id, NoticeKind.X, now=now, amount=1200, counterpart="王秀英")
    await notices.notify_all([Draft(recipient_id, NoticeKind.X, {...}), ...], now=now)

`notify_all` writes every draft in ONE bulk INSERT (the payment path counts statements).
Nothing leaves the process before commit: once the outermost unit of work commits,
`gongji.transactions.after_commit` hands the notices to live delivery (subscriptions,
across workers through Redis) and to the WeChat outbox; if it rolls back, nobody hears of
anything. A notice nobody was connected for is still in `myNotices`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from gongji.keys import new_key
from gongji.notices import delivery
from gongji.notices.models import Notice
from gongji.notices.rules import Draft, NoticeKind, texts
from gongji.sql import Writes

__all__ = ["Draft", "NoticeKind", "mark_read", "notify", "notify_all", "notify_in"]
from gongji.transactions import after_commit


async def notify(
    recipient_id: uuid.UUID, kind: NoticeKind, *, now: datetime, **fields: Any
) -> None:
    """One notice for one member; see the module docstring."""
    await notify_all([Draft(recipient_id, kind, fields)], now=now)


def _row(draft: Draft, now: datetime) -> Notice:
    zh, en = texts(draft.kind, draft.fields)
    return Notice(
        id=new_key(),
        recipient_id=draft.recipient_id,
        kind=draft.kind,
        data=dict(draft.fields),
        text_zh=zh[:255],
        text_en=en[:255],
        created_at=now,
    )


async def notify_all(drafts: Sequence[Draft], *, now: datetime) -> list[Notice]:
    """Write every draft in one INSERT; deliver after commit."""
    if not drafts:
        return []
    rows = [_row(d, now) for d in drafts]
    await Notice.bulk_create(rows)
    await _deliver_after_commit(rows, drafts)
    return rows


# Every column: a raw INSERT gets none of the ORM's Python-side defaults (read and WeChat state).
_COLUMNS = (
    "id",
    "recipient_id",
    "kind",
    "data",
    "text_zh",
    "text_en",
    "created_at",
    "read_at",
    "wechat_state",
    "wechat_attempts",
    "wechat_next_at",
    "wechat_sent_at",
    "wechat_error",
)


async def notify_in(writes: Writes, drafts: Sequence[Draft], *, now: datetime) -> list[Notice]:
    """As `notify_all`, but the INSERT joins the unit of work's write batch (`gongji.sql`),
    the way the payment path sends all its writes in one round trip."""
    if not drafts:
        return []
    rows = [_row(d, now) for d in drafts]
    writes.insert(Notice, [{name: getattr(r, name) for name in _COLUMNS} for r in rows])
    await _deliver_after_commit(rows, drafts)  # registers the delivery; no round trip
    return rows


async def _deliver_after_commit(rows: Sequence[Notice], drafts: Sequence[Draft]) -> None:
    events = [
        delivery.Event(str(r.id), str(d.recipient_id)) for r, d in zip(rows, drafts, strict=True)
    ]

    async def deliver() -> None:
        await delivery.current().committed(events)

    await after_commit(deliver)


async def mark_read(*, member_id: uuid.UUID, ids: Iterable[uuid.UUID] | None, now: datetime) -> int:
    """Mark the member's notices read: these ids, or all (None). Idempotent: what was read
    stays read at its first time; ids of someone else's notices are ignored. Returns how many
    changed."""
    query = Notice.filter(recipient_id=member_id, read_at=None)
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return 0
        query = query.filter(id__in=wanted)
    return await query.update(read_at=now)
