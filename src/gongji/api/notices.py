"""Notices over GraphQL: `myNotices`, `markNoticesRead`, and the live `notices` subscription."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry

from gongji import pagination
from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.enums import described
from gongji.api.errors import UserError, attempt, parse_id
from gongji.api.pagination import AFTER_DESCRIPTION, FIRST_DESCRIPTION, Connection, connection
from gongji.api.scalars import Money
from gongji.notices import delivery, queries, service
from gongji.notices.models import Notice as NoticeRow
from gongji.notices.rules import NoticeKind
from gongji.pagination import Keyset

KEYSET = Keyset()

described(
    NoticeKind,
    name="NoticeKind",
    description="What a notice is about. Clients switch on it; `text` says it in words.",
    values={
        "INVITATION_RECEIVED": "To the invitee: someone invites you into their family group (R7).",
        "INVITATION_ACCEPTED": "To the inviter: the relative accepted and joined (R7).",
        "INVITATION_DECLINED": "To the inviter: the relative declined (R7).",
        "INVITATION_REVOKED": "To the invitee: the inviter withdrew the invitation (R7).",
        "INVITATION_EXPIRED": "To both: the invitation expired undecided (R7).",
        "AUTHORIZATION_GRANTED": "To the relative: a quota of family money for you (R11).",
        "PAY_WITH_FAMILY_REMINDER": "To the relative, on binding: choose 家庭共济 when paying "
        "at the counter (R23).",
        "AUTHORIZATION_CHANGED": "To the relative: the authorizer changed your quota (R11).",
        "AUTHORIZATION_REVOKED": "To the other side: the authorization was revoked (解绑, R9).",
        "AUTHORIZATION_ENDED": "To both: it ended by itself (group left, insurance ended, R20).",
        "AUTHORIZATION_USED": "To the authorizer: who paid, where, how much, what is left.",
        "AUTHORIZATION_REFUNDED": "To the authorizer: an institution refunded a payment.",
        "QUOTA_NEARLY_USED_UP": "To both: at most the region's threshold of the quota is left.",
        "TRANSFER_RECEIVED": "To the relative: wallet money sent to you, to accept (R10).",
        "TRANSFER_ACCEPTED": "To the sender: the relative accepted your transfer (R10).",
        "TRANSFER_DECLINED": "To the sender: the relative declined; the money is back (R10).",
        "TRANSFER_RETURNED": "To both: unaccepted by 06:00 the next day, it went back (R10).",
        "HOLD_PLACED": "To the authorizer: a fraud rule put the authorization on hold (R21).",
        "HOLD_RELEASED": "To the authorizer: an agent released the hold (R21).",
    },
)


@strawberry.type(description="通知: something you should know of. Kept until read and after.")
class Notice:
    id: strawberry.ID = strawberry.field(description="The notice's id.")
    kind: NoticeKind = strawberry.field(description="What it is about.")
    text: str = strawberry.field(description="In the caller's language (Accept-Language).")
    text_zh: str = strawberry.field(description="In Chinese.")
    text_en: str = strawberry.field(description="In English.")
    counterpart: str | None = strawberry.field(
        description="The other person's name (inviter, relative, authorizer), if any."
    )
    institution: str | None = strawberry.field(
        description="The hospital or pharmacy's name, for a payment or refund."
    )
    group_name: str | None = strawberry.field(description="The family group's name, if any.")
    amount: Money | None = strawberry.field(
        description="The amount paid, refunded or returned, if any."
    )
    quota: Money | None = strawberry.field(description="The authorization's quota, if any.")
    remaining: Money | None = strawberry.field(description="What is left of it, if any.")
    authorization_id: strawberry.ID | None = strawberry.field(
        description="The authorization it is about, if any."
    )
    invitation_id: strawberry.ID | None = strawberry.field(
        description="The invitation it is about, if any."
    )
    transfer_id: strawberry.ID | None = strawberry.field(
        description="The transfer to a relative it is about, if any."
    )
    rule: str | None = strawberry.field(
        description="The fraud rule that placed a hold (R21; see `fraudRules`), if any."
    )
    created_at: datetime.datetime = strawberry.field(description="When it happened.")
    read_at: datetime.datetime | None = strawberry.field(description="When you marked it read.")

    @classmethod
    def of(cls, row: NoticeRow, language: str) -> Notice:
        data: dict[str, Any] = row.data
        ident = {k: strawberry.ID(str(data[k])) if data.get(k) else None for k in _IDS}
        return cls(
            id=strawberry.ID(str(row.id)),
            kind=row.kind,
            text=row.text_en if language == "en" else row.text_zh,
            text_zh=row.text_zh,
            text_en=row.text_en,
            counterpart=data.get("counterpart"),
            institution=data.get("institution"),
            group_name=data.get("group"),
            amount=data.get("amount"),
            quota=data.get("quota"),
            remaining=data.get("remaining"),
            authorization_id=ident["authorization_id"],
            invitation_id=ident["invitation_id"],
            transfer_id=ident["transfer_id"],
            rule=data.get("rule"),
            created_at=row.created_at,
            read_at=row.read_at,
        )


_IDS = ("authorization_id", "invitation_id", "transfer_id")


@strawberry.type(description="After markNoticesRead.")
class MarkNoticesReadPayload:
    marked: int | None = strawberry.field(
        description="How many changed from unread to read now (0 when repeated); null if refused."
    )
    unread: int | None = strawberry.field(description="How many are still unread; null if refused.")
    errors: list[UserError] = strawberry.field(description="Typed refusals; empty on success.")


async def _none() -> int:
    return 0


@strawberry.type
class NoticeQuery:
    @strawberry.field(
        description="Your notices, newest first; empty until verified. Re-read it after "
        "(re)connecting the `notices` subscription: live delivery may drop, this never does."
    )
    async def my_notices(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
        unread_only: Annotated[
            bool, strawberry.argument(description="Only those not yet marked read.")
        ] = False,
    ) -> Connection[Notice]:
        member_id = permissions.member_or_none(info)
        if member_id is None:
            return connection([], False, _none)
        query = queries.for_member(member_id, unread_only=unread_only)
        found = await pagination.page(query, first, after)
        language = info.context.language
        return connection(
            ((KEYSET.cursor_of(row), Notice.of(row, language)) for row in found.rows),
            found.has_next,
            query.count,
        )


@strawberry.type
class NoticeMutation:
    @strawberry.mutation(
        description="Mark your notices read: these ids, or all of them with `all: true`. "
        "Idempotent; ids that are not yours are ignored."
    )
    async def mark_notices_read(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="The notices to mark (at most 100)."),
        ] = None,
        all: Annotated[
            bool, strawberry.argument(description="Mark every notice of yours read.")
        ] = False,
    ) -> MarkNoticesReadPayload:
        context = info.context

        async def run() -> tuple[int, int]:
            member_id = permissions.verified_member(info)
            wanted = None if all else [parse_id(i, "ids") for i in (ids or [])[:100]]
            marked = await service.mark_read(member_id=member_id, ids=wanted, now=context.now())
            return marked, await queries.unread_count(member_id)

        result, errors = await attempt(run, context.language)
        marked, unread = result if result else (None, None)
        return MarkNoticesReadPayload(marked=marked, unread=unread, errors=errors)


@strawberry.type(description="Live streams over WebSocket (`graphql-transport-ws` only).")
class Subscription:
    @strawberry.subscription(
        description="Your new notices as they are committed. Connect with your token in "
        '`connection_init` ({"Authorization": "Bearer gjs_…"}); refused with 4403 without '
        "a verified member's token, closed with 4403 when it expires or is logged out."
    )
    async def notices(self, info: Info) -> AsyncGenerator[Notice, None]:
        member_id = permissions.verified_member(info)
        hub = delivery.current().hub
        async with hub.subscription(str(member_id)) as queue:
            while True:
                notice_id = await queue.get()
                row = await queries.delivered(uuid.UUID(notice_id), member_id)
                if row is not None:
                    yield Notice.of(row, info.context.language)
