"""Wallet, transfers and authorizations over GraphQL."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

import strawberry
from tortoise.queryset import QuerySet

from gongji import pagination
from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.enums import Relationship, described
from gongji.api.errors import UserError, attempt, parse_id
from gongji.api.members import Person
from gongji.api.pagination import AFTER_DESCRIPTION, FIRST_DESCRIPTION, Connection, connection
from gongji.api.scalars import Money
from gongji.api.throttling import throttled
from gongji.clock import china_date
from gongji.members.models import Member
from gongji.money import parse_yuan
from gongji.pagination import Keyset
from gongji.payments import service as payments
from gongji.payments.models import PremiumPayment as PremiumRow
from gongji.throttle.policy import Operation
from gongji.wallets import history, queries, service
from gongji.wallets.models import Authorization as AuthorizationRow
from gongji.wallets.models import AuthorizationStatus, WalletTransfer
from gongji.wallets.models import Wallet as WalletRow

KEYSET = Keyset()

described(
    AuthorizationStatus,
    name="AuthorizationStatus",
    description="Where an authorization stands (R9, R11, R20).",
    values={
        "ACTIVE": "The relative may spend what remains of the quota.",
        "REVOKED": "Either side ended it (解绑); the unspent quota went back to the wallet.",
        "ENDED": "Ended by itself: a party left the group, or insurance moved or ended (R20).",
    },
)
described(
    history.EventKind,
    name="AuthorizationEventKind",
    description="What happened to an authorization (R26, 查看授权记录).",
    values={
        "CREATED": "Granted with `quota`.",
        "QUOTA_CHANGED": "The authorizer changed the quota to `quota` (R11).",
        "REVOKED": "Either side ended it (解绑); the unspent quota went back (R9, R11).",
        "ENDED": "Ended by itself: a party left the group, or insurance moved or ended (R20).",
        "USED": "The relative paid `amount` of family money at `institution`.",
        "REFUNDED": "`institution` refunded `amount`; the quota came back.",
    },
)
described(
    history.ActorKind,
    name="ActorKind",
    description="Who did it.",
    values={
        "MEMBER": "The member in `member` themself.",
        "AGENT": "A service-hall agent, for `member` verified in person at the window.",
        "INSTITUTION": "The institution in `institution`.",
        "SYSTEM": "gongji itself or an operator (registry changes, R20).",
    },
)
ERRORS = "Typed refusals; empty on success."


@strawberry.type(description="个人账户: the employee's personal account, kept in two parts (R12).")
class PersonalAccount:
    carryover: Money = strawberry.field(description="历年结余: balance carried from past years.")
    current_year: Money = strawberry.field(description="当年: this year's contributions.")
    total: Money = strawberry.field(description="Both parts together.")


@strawberry.type(description="医保钱包 (R10, R11).")
class Wallet:
    opened: bool = strawberry.field(description="Opened through `openWallet`.")
    opened_at: datetime.datetime | None = strawberry.field(description="When; null if not yet.")
    personal_account: PersonalAccount = strawberry.field(
        description="The account transfers draw from (R12)."
    )
    available: Money = strawberry.field(description="Spendable: not reserved for any quota.")
    reserved: Money = strawberry.field(
        description="Unspent quotas of active authorizations, held for the relatives (R11)."
    )
    transfers_today: int = strawberry.field(description="Transfers made today, China time.")
    transfers_left_today: int = strawberry.field(
        description="Transfers still allowed today by the region's policy (R10)."
    )


@strawberry.type(description="划转: personal account → wallet.")
class Transfer:
    id: strawberry.ID = strawberry.field(description="The transfer's id.")
    amount: Money = strawberry.field(description="Moved into the wallet.")
    from_carryover: Money = strawberry.field(description="Of which from past years' balance.")
    from_current_year: Money = strawberry.field(description="Of which from this year's.")
    created_at: datetime.datetime = strawberry.field(description="When.")

    @classmethod
    def of(cls, row: WalletTransfer) -> Transfer:
        return cls(
            id=strawberry.ID(str(row.id)),
            amount=Money(row.amount),
            from_carryover=Money(row.from_carryover),
            from_current_year=Money(row.from_current),
            created_at=row.created_at,
        )


@strawberry.type(description="One event of an authorization, with its time and actor (R26).")
class AuthorizationEvent:
    kind: history.EventKind = strawberry.field(description="What happened.")
    occurred_at: datetime.datetime = strawberry.field(description="When.")
    actor_kind: history.ActorKind = strawberry.field(
        description="Who did it: the member, an agent for them, an institution, the system."
    )
    member: Person | None = strawberry.field(
        description="The member who acted, or for whom a service-hall agent acted."
    )
    institution_code: str | None = strawberry.field(
        description="Where family money was used or refunded: the institution's national code."
    )
    institution_name: str | None = strawberry.field(description="That institution's name.")
    quota: Money | None = strawberry.field(description="The quota after a grant or change.")
    amount: Money | None = strawberry.field(description="Spent by a use, returned by a refund.")


async def _events(rows: list[history.Event], info: Info) -> list[tuple[str, AuthorizationEvent]]:
    """A page of events with its people and institutions: two batched loads."""
    loaders = info.context.loaders
    member_ids = list({e.member_id for e in rows if e.member_id})
    institution_ids = list({e.institution_id for e in rows if e.institution_id})
    people = dict(zip(member_ids, await loaders.member_by_id.load_many(member_ids), strict=True))
    places = dict(
        zip(
            institution_ids,
            await loaders.institution_by_id.load_many(institution_ids),
            strict=True,
        )
    )
    out = []
    for e in rows:
        member = people.get(e.member_id) if e.member_id else None
        place = places.get(e.institution_id) if e.institution_id else None
        out.append(
            (
                e.cursor,
                AuthorizationEvent(
                    kind=e.kind,
                    occurred_at=e.at,
                    actor_kind=e.actor_kind,
                    member=Person.of(member, info) if member else None,
                    institution_code=place.code if place else None,
                    institution_name=place.name if place else None,
                    quota=Money(e.quota) if e.quota is not None else None,
                    amount=Money(e.amount) if e.amount is not None else None,
                ),
            )
        )
    return out


@strawberry.type(description="共济授权: the relative may spend up to `quota` (R11).")
class Authorization:
    id: strawberry.ID = strawberry.field(description="The authorization's id.")
    authorizer: Person = strawberry.field(description="Whose wallet pays.")
    relative: Person = strawberry.field(description="Who may spend.")
    relationship: Relationship = strawberry.field(
        description="The relative's relationship to the authorizer."
    )
    quota: Money = strawberry.field(description="共济额度: the most the relative may spend.")
    spent: Money = strawberry.field(description="Spent so far, refunds netted.")
    remaining: Money = strawberry.field(description="Still spendable; 0 once not ACTIVE.")
    status: AuthorizationStatus = strawberry.field(description="Active, revoked or ended.")
    created_at: datetime.datetime = strawberry.field(description="When it was granted.")
    ended_at: datetime.datetime | None = strawberry.field(
        description="When it was revoked or ended."
    )
    at_service_hall: bool = strawberry.field(
        description="Granted through a service-hall agent for the authorizer."
    )
    row: strawberry.Private[AuthorizationRow]

    @strawberry.field(
        description="授权记录 (R26): every event — created, quota changed, revoked or ended, "
        "each use and refund — with time and actor, newest first. Both sides see it."
    )
    async def history(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> Connection[AuthorizationEvent]:
        row = self.row
        events, has_next = await history.page(row, first, after)

        async def count() -> int:
            return await history.count(row)

        return connection(await _events(events, info), has_next, count)

    @classmethod
    async def of(cls, row: AuthorizationRow, info: Info) -> Authorization:
        await row.fetch_related("authorizer", "relative")
        return cls.loaded(row, info)

    @classmethod
    def loaded(cls, row: AuthorizationRow, info: Info) -> Authorization:
        """From a row whose authorizer and relative are loaded already."""
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
            at_service_hall=row.agent_id is not None,
            row=row,
        )


@strawberry.type(description="代缴城乡居民医保 (R16).")
class PremiumPayment:
    id: strawberry.ID = strawberry.field(description="The premium payment's id.")
    relative: Person = strawberry.field(description="Whose premium it paid.")
    year: int = strawberry.field(description="The insurance year it pays for.")
    amount: Money = strawberry.field(description="Paid from the wallet.")
    created_at: datetime.datetime = strawberry.field(description="When.")


@strawberry.type(description="The result of `openWallet`.")
class WalletPayload:
    wallet: Wallet | None = strawberry.field(description="The wallet; null if refused.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of `transferToWallet`.")
class TransferPayload:
    transfer: Transfer | None = strawberry.field(description="The transfer; null if refused.")
    wallet: Wallet | None = strawberry.field(description="The wallet after it.")
    replayed: bool = strawberry.field(description="A retry: the first result, nothing moved.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The authorization after an authorization mutation.")
class AuthorizationPayload:
    authorization: Authorization | None = strawberry.field(
        description="The authorization; null if refused."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of `payResidentPremium`.")
class PremiumPayload:
    premium: PremiumPayment | None = strawberry.field(description="The payment; null if refused.")
    replayed: bool = strawberry.field(description="A retry: the first result, nothing moved.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


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
    """A Money input in fen; anything but a decimal string is INVALID_INPUT on `field`."""
    return parse_yuan(raw if isinstance(raw, str) else "", field=field)


async def _none() -> int:
    return 0


async def _authorizations(
    query: QuerySet[AuthorizationRow], first: int | None, after: str | None, info: Info
) -> Connection[Authorization]:
    found = await pagination.page(query, first, after)
    return connection(
        ((KEYSET.cursor_of(row), Authorization.loaded(row, info)) for row in found.rows),
        found.has_next,
        query.count,
    )


@strawberry.type
class WalletQuery:
    @strawberry.field(description="The verified caller's personal account and wallet.")
    async def my_wallet(self, info: Info) -> Wallet | None:
        member_id = permissions.member_or_none(info)
        return await wallet_of(member_id, info) if member_id else None

    @strawberry.field(
        description="Authorizations the caller granted, newest first; empty until verified."
    )
    async def authorizations_granted(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Authorization] | None:
        member_id = permissions.member_or_none(info)
        if member_id is None:
            return connection([], False, _none)
        return await _authorizations(queries.granted_by(member_id), first, after, info)

    @strawberry.field(
        description="Authorizations the caller received, newest first; empty until verified."
    )
    async def authorizations_received(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Authorization] | None:
        member_id = permissions.member_or_none(info)
        if member_id is None:
            return connection([], False, _none)
        return await _authorizations(queries.received_by(member_id), first, after, info)


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
