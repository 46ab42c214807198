"""亲情转账 over GraphQL: wallet money sent to a relative, accepted or declined (R10)."""

from __future__ import annotations

import datetime

import strawberry

from gongji import pagination
from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.enums import described
from gongji.api.errors import UserError, attempt, parse_id
from gongji.api.members import Person
from gongji.api.pagination import Connection, connection
from gongji.api.scalars import Money
from gongji.api.throttling import throttled
from gongji.api.wallets import ERRORS, KEYSET, to_fen
from gongji.throttle.policy import Operation
from gongji.wallets import queries, service
from gongji.wallets.models import FamilyTransfer as FamilyTransferRow
from gongji.wallets.models import FamilyTransferStatus

described(
    FamilyTransferStatus,
    name="FamilyTransferStatus",
    description="Where a transfer to a relative stands (R10).",
    values={
        "PENDING": "Waiting for the relative; the money is held, neither side can spend it.",
        "ACCEPTED": "The relative took it into their wallet.",
        "DECLINED": "The relative refused it; it went back to the sender's wallet.",
        "RETURNED": "Not accepted by 06:00 China time the next day: back to the sender.",
    },
)


@strawberry.type(description="亲情转账: wallet money sent to a relative's wallet (R10).")
class FamilyTransfer:
    id: strawberry.ID = strawberry.field(description="The transfer's id.")
    sender: Person = strawberry.field(description="Whose wallet it came from.")
    recipient: Person = strawberry.field(description="The relative it is for.")
    amount: Money = strawberry.field(description="How much.")
    status: FamilyTransferStatus = strawberry.field(description="Pending, accepted, declined…")
    created_at: datetime.datetime = strawberry.field(description="When it was sent.")
    returns_at: datetime.datetime = strawberry.field(
        description="When it goes back to the sender if still pending (06:00 China time)."
    )
    settled_at: datetime.datetime | None = strawberry.field(
        description="When it was accepted, declined or returned; null while pending."
    )

    @classmethod
    async def of(cls, row: FamilyTransferRow, info: Info) -> FamilyTransfer:
        await row.fetch_related("sender", "recipient")
        return cls.loaded(row, info)

    @classmethod
    def loaded(cls, row: FamilyTransferRow, info: Info) -> FamilyTransfer:
        return cls(
            id=strawberry.ID(str(row.id)),
            sender=Person.of(row.sender, info),
            recipient=Person.of(row.recipient, info),
            amount=Money(row.amount),
            status=row.status,
            created_at=row.created_at,
            returns_at=row.due_at,
            settled_at=row.settled_at,
        )


@strawberry.type(description="The result of `sendFamilyTransfer`.")
class SendFamilyTransferPayload:
    transfer: FamilyTransfer | None = strawberry.field(description="The transfer; null if refused.")
    replayed: bool = strawberry.field(description="A retry: the first result, nothing moved.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The transfer after `acceptFamilyTransfer`/`declineFamilyTransfer`.")
class FamilyTransferPayload:
    transfer: FamilyTransfer | None = strawberry.field(description="The transfer; null if refused.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


async def _none() -> int:
    return 0


@strawberry.type
class TransferQuery:
    @strawberry.field(
        description="Transfers to and from relatives, sent or received, newest first; empty "
        "until verified."
    )
    async def my_family_transfers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[FamilyTransfer]:
        member_id = permissions.member_or_none(info)
        if member_id is None:
            return connection([], False, _none)
        query = queries.family_transfers_of(member_id)
        found = await pagination.page(query, first, after)
        return connection(
            ((KEYSET.cursor_of(row), FamilyTransfer.loaded(row, info)) for row in found.rows),
            found.has_next,
            query.count,
        )


@strawberry.type
class TransferMutation:
    @strawberry.mutation(
        description="Send wallet money to a relative in your family group (R10 limits): held "
        "until they accept, back to you at 06:00 China time the next day if they do not. One "
        "pending transfer per relative. Idempotent."
    )
    async def send_family_transfer(
        self, info: Info, recipient_id: strawberry.ID, amount: Money, idempotency_key: str
    ) -> SendFamilyTransferPayload:
        async def run() -> tuple[FamilyTransferRow, bool]:
            return await service.send_family_transfer(
                sender_id=permissions.verified_member(info),
                recipient_id=parse_id(recipient_id, "recipientId"),
                amount=to_fen(amount, "amount"),
                idempotency_key=idempotency_key,
                policies=info.context.services.policies,
                now=info.context.now(),
            )

        result, errors = await attempt(
            throttled(info, Operation.SEND_FAMILY_TRANSFER, run), info.context.language
        )
        if result is None:
            return SendFamilyTransferPayload(transfer=None, replayed=False, errors=errors)
        row, replayed = result
        return SendFamilyTransferPayload(
            transfer=await FamilyTransfer.of(row, info), replayed=replayed, errors=[]
        )

    @strawberry.mutation(
        description="The recipient takes a pending transfer into their wallet (opened for them "
        "if need be). Accepting again returns the same transfer."
    )
    async def accept_family_transfer(
        self, info: Info, transfer_id: strawberry.ID
    ) -> FamilyTransferPayload:
        async def run() -> FamilyTransferRow:
            return await service.accept_family_transfer(
                member_id=permissions.verified_member(info),
                transfer_id=parse_id(transfer_id, "transferId"),
                now=info.context.now(),
            )

        row, errors = await attempt(
            throttled(info, Operation.ACCEPT_FAMILY_TRANSFER, run), info.context.language
        )
        return FamilyTransferPayload(
            transfer=await FamilyTransfer.of(row, info) if row else None, errors=errors
        )

    @strawberry.mutation(
        description="The recipient refuses a pending transfer: it goes back to the sender now."
    )
    async def decline_family_transfer(
        self, info: Info, transfer_id: strawberry.ID
    ) -> FamilyTransferPayload:
        async def run() -> FamilyTransferRow:
            return await service.decline_family_transfer(
                member_id=permissions.verified_member(info),
                transfer_id=parse_id(transfer_id, "transferId"),
                now=info.context.now(),
            )

        row, errors = await attempt(
            throttled(info, Operation.DECLINE_FAMILY_TRANSFER, run), info.context.language
        )
        return FamilyTransferPayload(
            transfer=await FamilyTransfer.of(row, info) if row else None, errors=errors
        )
