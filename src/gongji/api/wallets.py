"""Wallet, transfers and authorizations over GraphQL."""

from __future__ import annotations

import datetime
import uuid

import strawberry

from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.enums import RelationshipType
from gongji.api.errors import UserError, attempt, parse_id
from gongji.api.members import Person
from gongji.api.scalars import Money
from gongji.api.throttling import throttled
from gongji.clock import china_date
from gongji.members.models import Member
from gongji.money import parse_yuan
from gongji.payments import service as payments
from gongji.payments.models import PremiumPayment as PremiumRow
from gongji.throttle.policy import Operation
from gongji.wallets import service
from gongji.wallets.models import Authorization as AuthorizationRow
from gongji.wallets.models import AuthorizationStatus, WalletTransfer
from gongji.wallets.models import Wallet as WalletRow

AuthorizationStatusType = strawberry.enum(AuthorizationStatus, name="AuthorizationStatus")


@strawberry.type(description="个人账户: the employee's personal account, kept in two parts (R12).")
class PersonalAccount:
    carryover: Money = strawberry.field(description="历年结余: balance carried from past years.")
    current_year: Money = strawberry.field(description="当年: this year's contributions.")
    total: Money


@strawberry.type(description="医保钱包 (R10, R11).")
class Wallet:
    opened: bool
    opened_at: datetime.datetime | None
    personal_account: PersonalAccount
    available: Money = strawberry.field(description="Spendable: not reserved for any quota.")
    reserved: Money = strawberry.field(
        description="Unspent quotas of active authorizations, held for the relatives (R11)."
    )
    transfers_today: int
    transfers_left_today: int


@strawberry.type(description="划转: personal account → wallet.")
class Transfer:
    id: strawberry.ID
    amount: Money
    from_carryover: Money
    from_current_year: Money
    created_at: datetime.datetime

    @classmethod
    def of(cls, row: WalletTransfer) -> Transfer:
        return cls(
            id=strawberry.ID(str(row.id)),
            amount=Money(row.amount),
            from_carryover=Money(row.from_carryover),
            from_current_year=Money(row.from_current),
            created_at=row.created_at,
        )


@strawberry.type(description="共济授权: the relative may spend up to `quota` (R11).")
class Authorization:
    id: strawberry.ID
    authorizer: Person
    relative: Person
    relationship: RelationshipType = strawberry.field(  # type: ignore[valid-type]
        description="The relative's relationship to the authorizer."
    )
    quota: Money
    spent: Money
    remaining: Money
    status: AuthorizationStatusType  # type: ignore[valid-type]
    created_at: datetime.datetime
    ended_at: datetime.datetime | None

    @classmethod
    async def of(cls, row: AuthorizationRow, info: Info) -> Authorization:
        await row.fetch_related("authorizer", "relative")
        active = row.status is AuthorizationStatus.ACTIVE
        return cls(
            id=strawberry.ID(str(row.id)),
            authorizer=Person.of(row.authorizer, info),
            relative=Person.of(row.relative, info),
            relationship=row.relationship,
            quota=Money(row.quota),
            spent=Money(row.spent),
            remaining=Money(row.quota - row.spent if active else 0),
            status=row.status,
            created_at=row.created_at,
            ended_at=row.ended_at,
        )


@strawberry.type(description="代缴城乡居民医保 (R16).")
class PremiumPayment:
    id: strawberry.ID
    relative: Person
    year: int
    amount: Money
    created_at: datetime.datetime


@strawberry.type
class WalletPayload:
    wallet: Wallet | None
    errors: list[UserError]


@strawberry.type
class TransferPayload:
    transfer: Transfer | None
    wallet: Wallet | None
    replayed: bool = strawberry.field(description="A retry: the first result, nothing moved.")
    errors: list[UserError]


@strawberry.type
class AuthorizationPayload:
    authorization: Authorization | None
    errors: list[UserError]


@strawberry.type
class PremiumPayload:
    premium: PremiumPayment | None
    replayed: bool
    errors: list[UserError]


async def wallet_of(member_id: uuid.UUID, info: Info) -> Wallet:
    row = await WalletRow.get_or_none(member_id=member_id)
    money = await service.balances(member_id)
    member = await Member.get(id=member_id)
    policy = info.context.services.policies.policy_for(
        member.insured_region, china_date(info.context.now())
    )
    today = await service.transfers_today(member_id, info.context.now())
    return Wallet(
        opened=row is not None,
        opened_at=row.opened_at if row else None,
        personal_account=PersonalAccount(
            carryover=Money(money.carryover),
            current_year=Money(money.current),
            total=Money(money.carryover + money.current),
        ),
        available=Money(money.wallet),
        reserved=Money(money.reserved),
        transfers_today=today,
        transfers_left_today=max(0, policy.transfer_max_per_day - today),
    )


def to_fen(raw: object, field: str) -> int:
    return parse_yuan(str(raw), field=field)


@strawberry.type
class WalletQuery:
    @strawberry.field(description="The verified caller's personal account and wallet.")
    async def my_wallet(self, info: Info) -> Wallet | None:
        member_id = permissions.member_or_none(info)
        return await wallet_of(member_id, info) if member_id else None

    @strawberry.field(description="Authorizations the caller granted, newest first.")
    async def authorizations_granted(self, info: Info) -> list[Authorization]:
        member_id = permissions.member_or_none(info)
        rows = await service.granted_by(member_id) if member_id else []
        return [await Authorization.of(r, info) for r in rows]

    @strawberry.field(description="Authorizations the caller received, newest first.")
    async def authorizations_received(self, info: Info) -> list[Authorization]:
        member_id = permissions.member_or_none(info)
        rows = await service.received_by(member_id) if member_id else []
        return [await Authorization.of(r, info) for r in rows]


@strawberry.type
class WalletMutation:
    @strawberry.mutation(description="Open the medical insurance wallet (employee-insured, R1).")
    async def open_wallet(self, info: Info) -> WalletPayload:
        async def run() -> Wallet:
            member_id = permissions.verified_member(info)
            await service.open_wallet(member_id=member_id, now=info.context.now())
            return await wallet_of(member_id, info)

        wallet, errors = await attempt(run, info.context.language)
        return WalletPayload(wallet=wallet, errors=errors)

    @strawberry.mutation(
        description="Move personal-account money into the wallet (R10 limits). Idempotent."
    )
    async def transfer_to_wallet(
        self, info: Info, amount: Money, idempotency_key: str
    ) -> TransferPayload:
        async def run() -> tuple[WalletTransfer, bool, Wallet]:
            member_id = permissions.verified_member(info)
            row, replayed = await service.transfer_to_wallet(
                member_id=member_id,
                amount=to_fen(amount, "amount"),
                idempotency_key=idempotency_key,
                policies=info.context.services.policies,
                now=info.context.now(),
            )
            return row, replayed, await wallet_of(member_id, info)

        result, errors = await attempt(
            throttled(info, Operation.TRANSFER_TO_WALLET, run), info.context.language
        )
        if result is None:
            return TransferPayload(transfer=None, wallet=None, replayed=False, errors=errors)
        row, replayed, wallet = result
        return TransferPayload(
            transfer=Transfer.of(row), wallet=wallet, replayed=replayed, errors=[]
        )

    @strawberry.mutation(
        description="Authorize a relative in your family group to spend a quota (R1–R3, R11)."
    )
    async def authorize_family_member(
        self, info: Info, relative_id: strawberry.ID, quota: Money
    ) -> AuthorizationPayload:
        async def run() -> AuthorizationRow:
            return await service.authorize(
                authorizer_id=permissions.verified_member(info),
                relative_id=parse_id(relative_id, "relativeId"),
                quota=to_fen(quota, "quota"),
                policies=info.context.services.policies,
                now=info.context.now(),
            )

        row, errors = await attempt(
            throttled(info, Operation.AUTHORIZE_FAMILY_MEMBER, run), info.context.language
        )
        return AuthorizationPayload(
            authorization=await Authorization.of(row, info) if row else None, errors=errors
        )

    @strawberry.mutation(description="Raise or lower a quota, never below what is spent (R11).")
    async def change_authorization(
        self, info: Info, authorization_id: strawberry.ID, quota: Money
    ) -> AuthorizationPayload:
        async def run() -> AuthorizationRow:
            return await service.change_authorization(
                member_id=permissions.verified_member(info),
                authorization_id=parse_id(authorization_id, "authorizationId"),
                quota=to_fen(quota, "quota"),
                now=info.context.now(),
            )

        row, errors = await attempt(
            throttled(info, Operation.CHANGE_AUTHORIZATION, run), info.context.language
        )
        return AuthorizationPayload(
            authorization=await Authorization.of(row, info) if row else None, errors=errors
        )

    @strawberry.mutation(
        description="解绑: either side ends the authorization; the unspent quota returns (R9, R11)."
    )
    async def revoke_authorization(
        self, info: Info, authorization_id: strawberry.ID
    ) -> AuthorizationPayload:
        async def run() -> AuthorizationRow:
            return await service.revoke_authorization(
                member_id=permissions.verified_member(info),
                authorization_id=parse_id(authorization_id, "authorizationId"),
                now=info.context.now(),
            )

        row, errors = await attempt(
            throttled(info, Operation.REVOKE_AUTHORIZATION, run), info.context.language
        )
        return AuthorizationPayload(
            authorization=await Authorization.of(row, info) if row else None, errors=errors
        )

    @strawberry.mutation(
        description="Pay a relative's resident-insurance premium from the wallet (R16). Idempotent."
    )
    async def pay_resident_premium(
        self, info: Info, relative_id: strawberry.ID, year: int, amount: Money, idempotency_key: str
    ) -> PremiumPayload:
        async def run() -> tuple[PremiumRow, bool]:
            return await payments.pay_resident_premium(
                payer_id=permissions.verified_member(info),
                relative_id=parse_id(relative_id, "relativeId"),
                year=year,
                amount=to_fen(amount, "amount"),
                idempotency_key=idempotency_key,
                policies=info.context.services.policies,
                now=info.context.now(),
            )

        result, errors = await attempt(
            throttled(info, Operation.PAY_RESIDENT_PREMIUM, run), info.context.language
        )
        if result is None:
            return PremiumPayload(premium=None, replayed=False, errors=errors)
        row, replayed = result
        await row.fetch_related("relative")
        return PremiumPayload(
            premium=PremiumPayment(
                id=strawberry.ID(str(row.id)),
                relative=Person.of(row.relative, info),
                year=row.year,
                amount=Money(row.amount),
                created_at=row.created_at,
            ),
            replayed=replayed,
            errors=[],
        )
