"""Wallet and authorization use cases. Balances live in the ledger; rows here describe them."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from gongji import metrics
from gongji.audit import service as audit
from gongji.clock import china_date
from gongji.errors import DomainError, ErrorCode
from gongji.families import rules as family_rules
from gongji.families.models import Membership
from gongji.fraud.models import AuthorizationHold, HoldStatus
from gongji.idempotency import service as idempotency
from gongji.identity.principals import ActingAgent
from gongji.ledger import service as ledger
from gongji.ledger.models import Account, AccountKind
from gongji.ledger.rules import SYSTEM, owner
from gongji.members.models import Member
from gongji.notices import service as notices
from gongji.notices.rules import Draft, NoticeKind
from gongji.records import service as records
from gongji.regions.policy import PolicyBook
from gongji.transactions import unit_of_work
from gongji.wallets import rules
from gongji.wallets.models import (
    Authorization,
    AuthorizationStatus,
    FamilyTransfer,
    FamilyTransferStatus,
    Wallet,
    WalletTransfer,
)


class Keep(enum.Enum):
    """A setting left as it is (distinct from None, which removes it)."""

    KEEP = "keep"


KEEP = Keep.KEEP


def member_owner(member_id: object) -> str:
    return owner("member", member_id)


def quota_owner(authorization_id: object) -> str:
    return owner("authorization", authorization_id)


async def wallet_account(member_id: uuid.UUID, now: datetime) -> Account:
    return await ledger.account(AccountKind.WALLET, member_owner(member_id), now=now)


async def quota_account(authorization_id: uuid.UUID, now: datetime) -> Account:
    return await ledger.account(AccountKind.QUOTA, quota_owner(authorization_id), now=now)


@dataclass(frozen=True)
class Balances:
    carryover: int
    current: int
    wallet: int
    reserved: int  # unspent quotas of active authorizations granted


async def balances(member_id: uuid.UUID) -> Balances:
    who = member_owner(member_id)
    reserved_owners = [
        quota_owner(a.id)
        for a in await Authorization.filter(
            authorizer_id=member_id, status=AuthorizationStatus.ACTIVE
        )
    ]
    reserved = sum(
        a.balance for a in await Account.filter(kind=AccountKind.QUOTA, owner__in=reserved_owners)
    )
    return Balances(
        carryover=await ledger.balance(AccountKind.PERSONAL_CARRYOVER, who),
        current=await ledger.balance(AccountKind.PERSONAL_CURRENT, who),
        wallet=await ledger.balance(AccountKind.WALLET, who),
        reserved=reserved,
    )


async def credit_personal_account(
    *, member_id: uuid.UUID, carryover: int, current: int, now: datetime, memo: str
) -> None:
    """Contributions into a personal account (the registry's job; used by demo and tests)."""
    source = await ledger.account(AccountKind.CONTRIBUTIONS, SYSTEM, now=now, allow_negative=True)
    movements: list[tuple[Account, int]] = []
    total = 0
    for kind, amount in (
        (AccountKind.PERSONAL_CARRYOVER, carryover),
        (AccountKind.PERSONAL_CURRENT, current),
    ):
        if amount > 0:
            movements.append((await ledger.account(kind, member_owner(member_id), now=now), amount))
            total += amount
    if total:
        await ledger.post(
            kind="contribution",
            reference=member_id,
            movements=[(source, -total), *movements],
            now=now,
            memo=memo,
        )


async def require_wallet(member_id: uuid.UUID, *, lock: bool = False) -> Wallet:
    query = Wallet.filter(member_id=member_id)
    wallet = await (query.select_for_update() if lock else query).get_or_none()
    if wallet is None:
        raise DomainError(ErrorCode.WALLET_NOT_OPEN)
    return wallet


async def transfers_today(member_id: uuid.UUID, now: datetime) -> int:
    """Transfers this member made on today's date in China (R10's per-day limit)."""
    return await WalletTransfer.filter(member_id=member_id, local_date=china_date(now)).count()


async def open_wallet(*, member_id: uuid.UUID, now: datetime) -> Wallet:
    """R10: open the wallet (the official channel is this service)."""
    member = await Member.get(id=member_id)
    rules.check_can_share(member.insurance_type, member.status)
    try:
        async for attempt in unit_of_work():
            async with attempt:
                wallet = await Wallet.create(member=member, opened_at=now)
                await wallet_account(member.id, now)
                await audit.record(
                    at=now, actor_kind="member", actor_id=member.id, action="wallet.open"
                )
    except IntegrityError:
        raise DomainError(ErrorCode.WALLET_ALREADY_OPEN) from None
    return wallet


async def transfer_to_wallet(
    *,
    member_id: uuid.UUID,
    amount: int,
    idempotency_key: str,
    policies: PolicyBook,
    now: datetime,
) -> tuple[WalletTransfer, bool]:
    """R10, R12: personal account → wallet, within the region's limits. Idempotent."""

    async def work() -> uuid.UUID:
        await require_wallet(member_id, lock=True)  # serializes this member's transfers
        member = await Member.get(id=member_id)
        rules.check_can_share(member.insurance_type, member.status)
        policy = policies.policy_for(member.insured_region, china_date(now))
        rules.check_transfer(amount, policy, now, await transfers_today(member_id, now))
        who = member_owner(member_id)
        carry = await ledger.account(AccountKind.PERSONAL_CARRYOVER, who, now=now)
        current = await ledger.account(AccountKind.PERSONAL_CURRENT, who, now=now)
        from_carry, from_current = rules.split_personal(amount, carry.balance, current.balance)
        transfer = await WalletTransfer.create(
            member_id=member_id,
            amount=amount,
            from_carryover=from_carry,
            from_current=from_current,
            local_date=china_date(now),
            created_at=now,
        )
        await records.record_transfer(transfer, member, now)
        movements = [(await wallet_account(member_id, now), amount)]
        movements += [
            (acc, -part) for acc, part in ((carry, from_carry), (current, from_current)) if part
        ]
        await ledger.post(
            kind="wallet_transfer",
            reference=transfer.id,
            movements=movements,
            now=now,
            shortfall=ErrorCode.PERSONAL_ACCOUNT_INSUFFICIENT,
        )
        return transfer.id

    result, replayed = await idempotency.once(
        scope=member_owner(member_id),
        key=idempotency_key,
        operation="transferToWallet",
        request={"amount": amount},
        work=work,
        now=now,
    )
    transfer = await WalletTransfer.get(id=result)
    if not replayed:
        metrics.observe_money("wallet_transfer", transfer.amount)
    return transfer, replayed


async def shared_group_relationship(
    authorizer_id: uuid.UUID, relative_id: uuid.UUID
) -> tuple[uuid.UUID, family_rules.Relationship]:
    """The relative's relationship to the authorizer, through a group both belong to (R8)."""
    mine = {
        m.group_id: m
        for m in await Membership.filter(member_id=authorizer_id, active=True, group__active=True)
    }
    theirs = await Membership.filter(
        member_id=relative_id, active=True, group_id__in=list(mine)
    ).order_by("joined_at")
    if not theirs:
        raise DomainError(ErrorCode.NOT_IN_SAME_FAMILY, "relativeId")
    membership = theirs[0]
    group_id = membership.group_id
    relationship = family_rules.relationship_between(
        mine[group_id].relationship, membership.relationship
    )
    return group_id, relationship


async def _authorization(
    authorization_id: uuid.UUID, member_id: uuid.UUID, *, authorizer_only: bool
) -> Authorization:
    found = await Authorization.filter(id=authorization_id).select_for_update().get_or_none()
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, "authorizationId")
    parties = {found.authorizer_id}
    if not authorizer_only:
        parties.add(found.relative_id)
    if member_id not in parties:
        raise DomainError(ErrorCode.NOT_AUTHORIZATION_PARTY, "authorizationId")
    if found.status is not AuthorizationStatus.ACTIVE:
        raise DomainError(ErrorCode.AUTHORIZATION_NOT_ACTIVE, "authorizationId")
    return found


async def authorize(
    *,
    authorizer_id: uuid.UUID,
    relative_id: uuid.UUID,
    quota: int,
    policies: PolicyBook,
    now: datetime,
    monthly_cap: int | None = None,
    valid_until: date | None = None,
    acting: ActingAgent | None = None,
) -> Authorization:
    """R1–R3, R8, R11: reserve `quota` from the wallet for one relative.

    Optionally as 亲属卡: at most `monthly_cap` a month (China time), and usable through
    `valid_until`, after which it ends by itself and the unspent quota returns.
    `acting`: a service-hall agent does it for the authorizer at the window (#10.4).
    """
    if authorizer_id == relative_id:
        raise DomainError(ErrorCode.CANNOT_AUTHORIZE_SELF, "relativeId")
    rules.check_valid_until(valid_until, now)
    try:
        async for attempt in unit_of_work():
            async with attempt:
                await require_wallet(authorizer_id, lock=True)
                authorizer = await Member.get(id=authorizer_id)
                rules.check_can_share(authorizer.insurance_type, authorizer.status)
                relative = await Member.get_or_none(id=relative_id)
                if relative is None:
                    raise DomainError(ErrorCode.NOT_FOUND, "relativeId")
                family_rules.check_invitee_insured(relative.status)
                group_id, relationship = await shared_group_relationship(authorizer_id, relative_id)
                policy = policies.policy_for(authorizer.insured_region, china_date(now))
                family_rules.check_relationship(relationship, policy)
                authorization = await Authorization.create(
                    authorizer=authorizer,
                    relative=relative,
                    group_id=group_id,
                    relationship=relationship,
                    quota=quota,
                    status=AuthorizationStatus.ACTIVE,
                    active_slot=rules.active_slot(authorizer_id, relative_id),
                    created_at=now,
                    updated_at=now,
                    monthly_cap=monthly_cap,
                    valid_until=valid_until,
                    quota_granted_at=now,
                    agent_id=acting.agent_id if acting else None,
                )
                await ledger.post(
                    kind="authorize",
                    reference=authorization.id,
                    movements=[
                        (await wallet_account(authorizer_id, now), -quota),
                        (await quota_account(authorization.id, now), quota),
                    ],
                    now=now,
                )
                await audit.member_act(
                    at=now,
                    member_id=authorizer_id,
                    acting=acting,
                    action="authorization.grant",
                    subject_id=authorization.id,
                    detail={
                        "quota": quota,
                        "monthlyCap": monthly_cap,
                        "validUntil": valid_until.isoformat() if valid_until else None,
                    },
                )
                granted = {
                    "counterpart": authorizer.name,
                    "authorization_id": str(authorization.id),
                }
                await notices.notify_all(
                    [
                        Draft(
                            relative.id,
                            NoticeKind.AUTHORIZATION_GRANTED,
                            {**granted, "quota": quota},
                        ),
                        Draft(relative.id, NoticeKind.PAY_WITH_FAMILY_REMINDER, granted),  # R23
                    ],
                    now=now,
                )
    except IntegrityError:
        raise DomainError(ErrorCode.AUTHORIZATION_ALREADY_ACTIVE, "relativeId") from None
    return authorization


async def change_authorization(
    *,
    member_id: uuid.UUID,
    authorization_id: uuid.UUID,
    now: datetime,
    quota: int | Keep = KEEP,
    monthly_cap: int | Keep | None = KEEP,
    valid_until: date | Keep | None = KEEP,
    acting: ActingAgent | None = None,
) -> Authorization:
    """R11: raise (more is reserved from the wallet) or lower (returned), never below spent;
    set or remove the monthly cap and the last day."""
    if valid_until is not KEEP:
        rules.check_valid_until(valid_until, now)
    async for attempt in unit_of_work():
        async with attempt:
            authorization = await _authorization(authorization_id, member_id, authorizer_only=True)
            changed: dict[str, object] = {}
            was = authorization.quota
            if quota is not KEEP:
                rules.check_new_quota(quota, authorization.spent)
                delta = quota - authorization.quota
                if delta:
                    await ledger.post(
                        kind="authorization_change",
                        reference=authorization.id,
                        movements=[
                            (await wallet_account(member_id, now), -delta),
                            (await quota_account(authorization.id, now), delta),
                        ],
                        now=now,
                    )
                if delta > 0:
                    authorization.quota_granted_at = now
                authorization.quota = quota
                changed["quota"] = quota
                changed["was"] = was
            if monthly_cap is not KEEP:
                authorization.monthly_cap = changed["monthlyCap"] = monthly_cap
            if valid_until is not KEEP:
                authorization.valid_until = valid_until
                changed["validUntil"] = valid_until.isoformat() if valid_until else None
            authorization.updated_at = now
            await authorization.save(
                update_fields=[
                    "quota",
                    "quota_granted_at",
                    "monthly_cap",
                    "valid_until",
                    "updated_at",
                ]
            )
            await audit.member_act(
                at=now,
                member_id=member_id,
                acting=acting,
                action="authorization.change",
                subject_id=authorization.id,
                detail=changed,
            )
            await authorization.fetch_related("authorizer", "relative")
            await notices.notify(
                authorization.relative.id,
                NoticeKind.AUTHORIZATION_CHANGED,
                now=now,
                counterpart=authorization.authorizer.name,
                quota=authorization.quota,
                remaining=authorization.quota - authorization.spent,
                authorization_id=str(authorization.id),
            )
    return authorization


async def close(
    authorization: Authorization, status: AuthorizationStatus, by: str, now: datetime
) -> int:
    """Return the unspent quota to the authorizer's wallet and end the authorization.
    Returns the amount returned.

    Inside the caller's transaction, with the authorization locked. An open fraud hold ends
    with it (its record stays for the audit)."""
    quota_acc = await quota_account(authorization.id, now)
    returned: int = quota_acc.balance
    if quota_acc.balance:
        authorizer_id = authorization.authorizer_id
        await ledger.post(
            kind="authorization_end",
            reference=authorization.id,
            movements=[
                (quota_acc, -quota_acc.balance),
                (await wallet_account(authorizer_id, now), quota_acc.balance),
            ],
            now=now,
        )
    if authorization.hold_rule is not None:
        await AuthorizationHold.filter(
            authorization_id=authorization.id, status=HoldStatus.OPEN
        ).update(status=HoldStatus.ENDED, resolved_at=now, resolved_by=by[:64])
    authorization.status, authorization.active_slot = status, None
    authorization.ended_at, authorization.ended_by, authorization.updated_at = now, by, now
    authorization.hold_rule = None
    await authorization.save()
    return returned


def _parties(authorization: Authorization) -> tuple[uuid.UUID, uuid.UUID]:
    """(authorizer id, relative id) of an authorization read with both parties."""
    return authorization.authorizer.id, authorization.relative.id


async def revoke_authorization(
    *,
    member_id: uuid.UUID,
    authorization_id: uuid.UUID,
    now: datetime,
    acting: ActingAgent | None = None,
) -> Authorization:
    """R9, R11: either side ends it (解绑); the unspent quota returns to the wallet."""
    async for attempt in unit_of_work():
        async with attempt:
            authorization = await _authorization(authorization_id, member_id, authorizer_only=False)
            by = f"agent:{acting.agent_id}" if acting else f"member:{member_id}"
            returned = await close(authorization, AuthorizationStatus.REVOKED, by, now)
            await authorization.fetch_related("authorizer", "relative")
            authorizer_id, relative_id = _parties(authorization)
            actor = (
                authorization.authorizer if member_id == authorizer_id else authorization.relative
            )
            await notices.notify(
                relative_id if member_id == authorizer_id else authorizer_id,
                NoticeKind.AUTHORIZATION_REVOKED,
                now=now,
                counterpart=actor.name,
                amount=returned,
                authorization_id=str(authorization.id),
            )
            await audit.member_act(
                at=now,
                member_id=member_id,
                acting=acting,
                action="authorization.revoke",
                subject_id=authorization.id,
                detail={"returned": returned},
            )
    return authorization


async def end_authorizations(
    *, now: datetime, by: str, group_id: uuid.UUID | None = None, member_id: uuid.UUID | None = None
) -> int:
    """R9, R20: end active authorizations and return their unspent quota.

    In a group (someone left, or it dissolved), of a member (their insurance ended or moved),
    or both. Runs inside the caller's transaction.
    """
    assert group_id is not None or member_id is not None
    query = Authorization.filter(status=AuthorizationStatus.ACTIVE)
    if group_id is not None:
        query = query.filter(group_id=group_id)
    if member_id is not None:
        query = query.filter(Q(authorizer_id=member_id) | Q(relative_id=member_id))
    ended = 0
    drafts = []
    for authorization in await query.select_for_update().order_by("id"):
        returned = await close(authorization, AuthorizationStatus.ENDED, by, now)
        ended += 1
        drafts += await ended_notices(authorization, returned)
    await notices.notify_all(drafts, now=now)
    return ended


async def ended_notices(authorization: Authorization, returned: int) -> list[Draft]:
    """To both sides: the authorization ended by itself, and what went back."""
    await authorization.fetch_related("authorizer", "relative")
    common = {"amount": returned, "authorization_id": str(authorization.id)}
    return [
        Draft(
            authorization.authorizer.id,
            NoticeKind.AUTHORIZATION_ENDED,
            {"counterpart": authorization.relative.name, **common},
        ),
        Draft(
            authorization.relative.id,
            NoticeKind.AUTHORIZATION_ENDED,
            {"counterpart": authorization.authorizer.name, **common},
        ),
    ]


async def _transfer_notice(
    transfer: FamilyTransfer, kind: NoticeKind, to_sender: bool, now: datetime
) -> Draft:
    """To the sender or the recipient of a transfer, naming the other side."""
    await transfer.fetch_related("sender", "recipient")
    to, other = (
        (transfer.sender, transfer.recipient)
        if to_sender
        else (transfer.recipient, transfer.sender)
    )
    fields = {"counterpart": other.name, "amount": transfer.amount, "transfer_id": str(transfer.id)}
    return Draft(to.id, kind, fields)


async def quota_problems() -> list[str]:
    """Reconcile: each quota account holds exactly quota − spent while active, 0 after."""
    problems = []
    accounts = {a.owner: a.balance for a in await Account.filter(kind=AccountKind.QUOTA)}
    for authorization in await Authorization.all():
        held = accounts.get(quota_owner(authorization.id), 0)
        expected = (
            authorization.quota - authorization.spent
            if authorization.status is AuthorizationStatus.ACTIVE
            else 0
        )
        if held != expected or not 0 <= authorization.spent <= authorization.quota:
            problems.append(
                f"authorization {authorization.id}: quota {authorization.quota}, spent "
                f"{authorization.spent}, account holds {held}, expected {expected}"
            )
    return problems


# --- 亲情转账: wallet → a relative's wallet (R10) -------------------------------------------


def escrow_owner(transfer_id: object) -> str:
    return owner("family_transfer", transfer_id)


async def escrow_account(transfer_id: uuid.UUID, now: datetime) -> Account:
    return await ledger.account(AccountKind.TRANSFER_ESCROW, escrow_owner(transfer_id), now=now)


async def family_transfers_today(member_id: uuid.UUID, now: datetime) -> int:
    """Transfers to relatives this member started on today's date in China (R10)."""
    return await FamilyTransfer.filter(sender_id=member_id, local_date=china_date(now)).count()


async def send_family_transfer(
    *,
    sender_id: uuid.UUID,
    recipient_id: uuid.UUID,
    amount: int,
    idempotency_key: str,
    policies: PolicyBook,
    now: datetime,
) -> tuple[FamilyTransfer, bool]:
    """R10: send wallet money to a relative. It waits in escrow until they accept; unaccepted,
    it returns at 06:00 China time the next day. One pending transfer per relative. Idempotent.
    """
    if sender_id == recipient_id:
        raise DomainError(ErrorCode.CANNOT_TRANSFER_TO_SELF, "recipientId")

    async def work() -> uuid.UUID:
        await require_wallet(sender_id, lock=True)  # serializes this sender's money moves
        sender = await Member.get(id=sender_id)
        rules.check_can_share(sender.insurance_type, sender.status)
        recipient = await Member.get_or_none(id=recipient_id)
        if recipient is None:
            raise DomainError(ErrorCode.NOT_FOUND, "recipientId")
        family_rules.check_invitee_insured(recipient.status)
        try:
            _group, relationship = await shared_group_relationship(sender_id, recipient_id)
        except DomainError as error:
            raise DomainError(error.code, "recipientId", error.params) from None
        policy = policies.policy_for(sender.insured_region, china_date(now))
        family_rules.check_relationship(relationship, policy)
        slot = rules.pending_slot(sender_id, recipient_id)
        if await FamilyTransfer.exists(pending_slot=slot):
            raise DomainError(ErrorCode.FAMILY_TRANSFER_PENDING, "recipientId")
        rules.check_family_transfer(
            amount, policy, now, await family_transfers_today(sender_id, now)
        )
        transfer = await FamilyTransfer.create(
            sender=sender,
            recipient=recipient,
            amount=amount,
            status=FamilyTransferStatus.PENDING,
            pending_slot=slot,
            local_date=china_date(now),
            created_at=now,
            due_at=rules.family_transfer_due(policy, now),
        )
        await ledger.post(
            kind="family_transfer",
            reference=transfer.id,
            movements=[
                (await wallet_account(sender_id, now), -amount),
                (await escrow_account(transfer.id, now), amount),
            ],
            now=now,
        )
        await audit.record(
            at=now,
            actor_kind="member",
            actor_id=sender_id,
            action="family_transfer.send",
            subject_id=transfer.id,
            detail={"amount": amount, "recipient": str(recipient_id)},
        )
        received = await _transfer_notice(transfer, NoticeKind.TRANSFER_RECEIVED, False, now)
        await notices.notify_all([received], now=now)
        return transfer.id

    try:
        result, replayed = await idempotency.once(
            scope=member_owner(sender_id),
            key=idempotency_key,
            operation="sendFamilyTransfer",
            request={"recipient": str(recipient_id), "amount": amount},
            work=work,
            now=now,
        )
    except IntegrityError:  # the pending slot taken at the same moment
        raise DomainError(ErrorCode.FAMILY_TRANSFER_PENDING, "recipientId") from None
    transfer = await FamilyTransfer.get(id=result)
    if not replayed:
        metrics.observe_money("family_transfer", transfer.amount)
    return transfer, replayed


async def _settle_transfer(
    transfer: FamilyTransfer, status: FamilyTransferStatus, to_member: uuid.UUID, now: datetime
) -> None:
    """Move the escrowed amount to `to_member`'s wallet and close the transfer."""
    await ledger.post(
        kind=f"family_transfer_{status.value}",
        reference=transfer.id,
        movements=[
            (await escrow_account(transfer.id, now), -transfer.amount),
            (await wallet_account(to_member, now), transfer.amount),
        ],
        now=now,
    )
    transfer.status, transfer.pending_slot, transfer.settled_at = status, None, now
    await transfer.save(update_fields=["status", "pending_slot", "settled_at"])


async def _recipients_transfer(
    transfer_id: uuid.UUID, member_id: uuid.UUID, outcome: FamilyTransferStatus, now: datetime
) -> tuple[FamilyTransfer, bool]:
    """Lock the transfer for its recipient. (transfer, already settled this way: a retry)."""
    transfer = await FamilyTransfer.filter(id=transfer_id).select_for_update().get_or_none()
    if transfer is None:
        raise DomainError(ErrorCode.NOT_FOUND, "transferId")
    if transfer.recipient_id != member_id:
        raise DomainError(ErrorCode.NOT_TRANSFER_RECIPIENT, "transferId")
    if transfer.status is outcome:
        return transfer, True
    if transfer.status is not FamilyTransferStatus.PENDING or now >= transfer.due_at:
        raise DomainError(ErrorCode.FAMILY_TRANSFER_NOT_PENDING, "transferId")
    return transfer, False


async def accept_family_transfer(
    *, member_id: uuid.UUID, transfer_id: uuid.UUID, now: datetime
) -> FamilyTransfer:
    """The relative takes the money into their wallet (opened for them if it was not)."""
    async for attempt in unit_of_work():
        async with attempt:
            outcome = FamilyTransferStatus.ACCEPTED
            transfer, done = await _recipients_transfer(transfer_id, member_id, outcome, now)
            if not done:
                if not await Wallet.exists(member_id=member_id):
                    await Wallet.create(member_id=member_id, opened_at=now)
                await _settle_transfer(transfer, outcome, member_id, now)
                await audit.record(
                    at=now,
                    actor_kind="member",
                    actor_id=member_id,
                    action="family_transfer.accept",
                    subject_id=transfer.id,
                    detail={"amount": transfer.amount},
                )
                accepted = NoticeKind.TRANSFER_ACCEPTED
                drafts = [await _transfer_notice(transfer, accepted, True, now)]
                await notices.notify_all(drafts, now=now)
    return transfer


async def decline_family_transfer(
    *, member_id: uuid.UUID, transfer_id: uuid.UUID, now: datetime
) -> FamilyTransfer:
    """The relative refuses it: the money goes back to the sender's wallet at once."""
    async for attempt in unit_of_work():
        async with attempt:
            outcome = FamilyTransferStatus.DECLINED
            transfer, done = await _recipients_transfer(transfer_id, member_id, outcome, now)
            if not done:
                await _settle_transfer(transfer, outcome, transfer.sender_id, now)
                await audit.record(
                    at=now,
                    actor_kind="member",
                    actor_id=member_id,
                    action="family_transfer.decline",
                    subject_id=transfer.id,
                    detail={"amount": transfer.amount},
                )
                declined = NoticeKind.TRANSFER_DECLINED
                drafts = [await _transfer_notice(transfer, declined, True, now)]
                await notices.notify_all(drafts, now=now)
    return transfer


async def return_due_transfers(*, now: datetime) -> list[FamilyTransfer]:
    """R10: every pending transfer past its due time goes back to its sender, one transaction
    each. Safe to run from several places at once: each transfer is locked and rechecked."""
    due = await FamilyTransfer.filter(
        status=FamilyTransferStatus.PENDING, due_at__lte=now
    ).values_list("id", flat=True)
    returned = []
    for transfer_id in due:
        async for attempt in unit_of_work():
            async with attempt:
                transfer = await FamilyTransfer.filter(id=transfer_id).select_for_update().get()
                due_now = transfer.status is FamilyTransferStatus.PENDING  # not taken meanwhile
                if due_now:
                    await _settle_transfer(
                        transfer, FamilyTransferStatus.RETURNED, transfer.sender_id, now
                    )
                    await audit.record(
                        at=now,
                        actor_kind="system",
                        actor_id="jobs",
                        action="family_transfer.return",
                        subject_id=transfer.id,
                        detail={"amount": transfer.amount},
                    )
                    back = NoticeKind.TRANSFER_RETURNED
                    drafts = [
                        await _transfer_notice(transfer, back, to_sender, now)
                        for to_sender in (True, False)
                    ]
                    await notices.notify_all(drafts, now=now)
        if due_now:
            returned.append(transfer)
    return returned


async def end_expired_authorizations(*, now: datetime) -> list[Authorization]:
    """亲属卡 end dates: authorizations past their last day end, the unspent quota returns."""
    today = china_date(now)
    due = await Authorization.filter(
        status=AuthorizationStatus.ACTIVE, valid_until__lt=today
    ).values_list("id", flat=True)
    ended = []
    for authorization_id in due:
        async for attempt in unit_of_work():
            async with attempt:
                authorization = (
                    await Authorization.filter(id=authorization_id).select_for_update().get()
                )
                still_active = authorization.status is AuthorizationStatus.ACTIVE
                if still_active:
                    returned = await close(authorization, AuthorizationStatus.ENDED, "expiry", now)
                    drafts = await ended_notices(authorization, returned)
                    await notices.notify_all(drafts, now=now)
                    await audit.record(
                        at=now,
                        actor_kind="system",
                        actor_id="jobs",
                        action="authorization.expire",
                        subject_id=authorization.id,
                        detail={"validUntil": str(authorization.valid_until)},
                    )
        if still_active:
            ended.append(authorization)
    return ended


async def escrow_problems() -> list[str]:
    """Reconcile: each pending transfer's escrow holds its amount; a settled one holds 0."""
    held = {a.owner: a.balance for a in await Account.filter(kind=AccountKind.TRANSFER_ESCROW)}
    problems = []
    for transfer in await FamilyTransfer.all():
        pending = transfer.status is FamilyTransferStatus.PENDING
        expected = transfer.amount if pending else 0
        actual = held.get(escrow_owner(transfer.id), 0)
        if actual != expected:
            problems.append(
                f"family transfer {transfer.id} ({transfer.status.value}): escrow holds "
                f"{actual}, expected {expected}"
            )
    return problems
