"""R20's life events: a member's insurance moves to another city, or the member dies.

Each runs inside the caller's unit of work (a registry import), or in its own
(`record_move`, `record_death`, `record_inheritance`). Every authorization ends through the
same row locks `pay` takes, so a payment in flight either commits before the ending (and
the ending returns what is left of the quota) or sees the authorization ended.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from gongji import pii
from gongji.audit import service as audit
from gongji.clock import china_date
from gongji.errors import DomainError, ErrorCode
from gongji.families.bindings import end_membership
from gongji.families.models import FamilyGroup, Membership
from gongji.families.rules import MembershipRole, Relationship
from gongji.ledger import service as ledger
from gongji.ledger.models import Account, AccountKind
from gongji.ledger.rules import owner, region_fund_owner
from gongji.lifecycle import rules
from gongji.lifecycle.models import HeirShare, HeirShareStatus
from gongji.lifecycle.rules import Heir
from gongji.members.models import Member, id_number_is
from gongji.members.rules import InsuranceStatus, normalize_id_number
from gongji.money import format_yuan
from gongji.regions.policy import PolicyBook
from gongji.transactions import unit_of_work
from gongji.wallets.service import end_authorizations, member_owner

BALANCES = (AccountKind.PERSONAL_CARRYOVER, AccountKind.PERSONAL_CURRENT, AccountKind.WALLET)


def estate_owner(member_id: object) -> str:
    return owner("member", member_id)


@dataclass
class LifeEvent:
    """What a move or a death changed, for the operator's one-line answer."""

    member_id: uuid.UUID
    what: str
    authorizations_ended: int = 0
    memberships_ended: int = 0
    moved: dict[str, int] = field(default_factory=dict)  # account kind → fen

    def summary(self) -> str:
        money = ", ".join(f"{kind} {format_yuan(fen)}" for kind, fen in self.moved.items())
        return (
            f"{self.what}: {self.authorizations_ended} authorization(s) ended,"
            f" {self.memberships_ended} membership(s) ended; {money or 'no balance'}"
        )


async def _locked_balances(member_id: uuid.UUID) -> list[Account]:
    """The member's personal-account and wallet accounts, locked, with a balance."""
    query = Account.filter(kind__in=BALANCES, owner=member_owner(member_id)).select_for_update()
    return [a for a in await query.order_by("id") if a.balance]


def _relationship(value: object) -> Relationship | None:
    """A membership's relationship as `values_list` returns it (an enum or its value)."""
    return None if value is None else Relationship(value)


async def _group(group_id: uuid.UUID) -> FamilyGroup:
    return await FamilyGroup.filter(id=group_id).select_for_update().get()


async def member_moved(
    member: Member, old_region: str, *, policies: PolicyBook, now: datetime, by: str
) -> LifeEvent:
    """转移接续: `member.insured_region` is already the new region (saved or not).

    Every authorization given or received ends and unspent quota returns; bindings the new
    region's policy does not allow end (R3 under the new region: a creator's relatives, or
    the member's own relationship as a relative); the personal account and wallet balances
    leave the old region's fund and arrive through the new one's, in one ledger transaction.
    """
    event = LifeEvent(member.id, f"moved {old_region} → {member.insured_region}")
    event.authorizations_ended = await end_authorizations(member_id=member.id, now=now, by=by)
    policy = policies.policy_for(member.insured_region, china_date(now))
    mine = await Membership.filter(
        member_id=member.id, active=True, group__active=True
    ).values_list("group_id", "role", "relationship")
    for group_id, role, relationship in mine:
        group = await _group(group_id)
        if not group.active:
            continue
        if MembershipRole(role) is MembershipRole.CREATOR:
            relatives = await Membership.filter(
                group_id=group.id, active=True, role=MembershipRole.RELATIVE
            ).values_list("member_id", "relationship")
            leaving = [
                relative_id
                for relative_id, relation in relatives
                if not rules.relationship_allowed(_relationship(relation), policy)
            ]
        else:
            allowed = rules.relationship_allowed(_relationship(relationship), policy)
            leaving = [] if allowed else [member.id]
        for member_id in leaving:
            await end_membership(group, member_id, now, by)
            event.memberships_ended += 1
    accounts = await _locked_balances(member.id)
    if accounts:
        old_fund, new_fund = [
            await ledger.account(
                AccountKind.CONTRIBUTIONS, region_fund_owner(code), now=now, allow_negative=True
            )
            for code in (old_region, member.insured_region)
        ]
        movements: list[tuple[Account, int]] = []
        for account in accounts:
            amount = account.balance
            movements += [(account, -amount), (old_fund, amount)]  # transfer out
            movements += [(new_fund, -amount), (account, amount)]  # transfer in
            event.moved[account.kind.value] = amount
        await ledger.post(
            kind="region_move",
            reference=member.id,
            movements=movements,
            now=now,
            memo=f"转移接续 {old_region} → {member.insured_region}",
        )
    await audit.record(
        at=now,
        actor_kind="operator",
        actor_id=by,
        action="member.move",
        subject_id=member.id,
        detail={"from": old_region, "to": member.insured_region, "moved": event.moved},
    )
    return event


async def member_died(member: Member, *, now: datetime, by: str) -> LifeEvent:
    """R20 on death: authorizations and memberships end (a group the member created is
    dissolved), and every balance goes into the estate account, which nothing spends; the
    operator's `record_inheritance` hands it to the heirs."""
    event = LifeEvent(member.id, "deceased")
    event.authorizations_ended = await end_authorizations(member_id=member.id, now=now, by=by)
    groups = await Membership.filter(
        member_id=member.id, active=True, group__active=True
    ).values_list("group_id")
    for (group_id,) in groups:
        group = await _group(group_id)
        if group.active:
            await end_membership(group, member.id, now, by)
            event.memberships_ended += 1
    accounts = await _locked_balances(member.id)
    if accounts:
        estate = await ledger.account(AccountKind.ESTATE, estate_owner(member.id), now=now)
        total = sum(a.balance for a in accounts)
        for account in accounts:
            event.moved[account.kind.value] = account.balance
        await ledger.post(
            kind="estate",
            reference=member.id,
            movements=[(a, -a.balance) for a in accounts] + [(estate, total)],
            now=now,
            memo="身故: 余额转入遗产账户",
        )
    await audit.record(
        at=now,
        actor_kind="operator",
        actor_id=by,
        action="member.death",
        subject_id=member.id,
        detail={"estate": event.moved},
    )
    return event


async def _member(id_number: str, *, lock: bool = False) -> Member:
    query = Member.filter(**id_number_is(normalize_id_number(id_number)))
    found = await (query.select_for_update() if lock else query).get_or_none()
    if found is None:
        raise DomainError(ErrorCode.MEMBER_NOT_FOUND, "idNumber")
    return found


async def record_move(
    *, id_number: str, region: str, policies: PolicyBook, now: datetime, by: str
) -> LifeEvent:
    """The operator's command for a move the registry file has not carried (yet)."""
    policies.policy_for(region, china_date(now))  # a known region, or INVALID_REGION
    async for attempt in unit_of_work():
        async with attempt:
            member = await _member(id_number, lock=True)
            old = member.insured_region
            member.insured_region = region
            await member.save(update_fields=["insured_region", "updated_at"])
            if not rules.moved_city(old, region):
                event = LifeEvent(member.id, f"moved {old} → {region} within the city")
            else:
                event = await member_moved(member, old, policies=policies, now=now, by=by)
    return event


async def record_death(*, id_number: str, now: datetime, by: str) -> LifeEvent:
    """The operator's command for a death the registry file has not carried (yet)."""
    async for attempt in unit_of_work():
        async with attempt:
            member = await _member(id_number, lock=True)
            if member.status is InsuranceStatus.DECEASED:
                event = LifeEvent(member.id, "already recorded as deceased")
            else:
                member.status = InsuranceStatus.DECEASED
                await member.save(update_fields=["status", "updated_at"])
                event = await member_died(member, now=now, by=by)
    return event


@dataclass
class Inheritance:
    deceased_id: uuid.UUID
    shares: list[HeirShare]
    replayed: bool

    def summary(self) -> str:
        parts = [
            f"{s.heir_name} {s.share} {format_yuan(s.amount)} {s.status.value}" for s in self.shares
        ]
        again = " (already recorded)" if self.replayed else ""
        return f"inheritance{again}: " + "; ".join(parts)


async def record_inheritance(
    *, id_number: str, heirs: list[Heir], now: datetime, by: str
) -> Inheritance:
    """R20: the heirs and their shares of a deceased member's estate. Each share goes to the
    heir's personal account (历年结余) if they have one, else it is held in the estate until
    a registry import brings them. Recording the same heirs and shares again changes nothing.
    """
    deceased_number = normalize_id_number(id_number)
    rules.check_heirs(heirs, deceased_number)
    wanted = {(pii.blind_index(h.id_number, pii.ID_NUMBER), h.share) for h in heirs}
    result: Inheritance | None = None
    async for attempt in unit_of_work():
        async with attempt:
            deceased = await _member(deceased_number, lock=True)  # one recording at a time
            if deceased.status is not InsuranceStatus.DECEASED:
                raise DomainError(ErrorCode.INHERITANCE_NOT_DECEASED, "idNumber")
            existing = await HeirShare.filter(deceased=deceased).order_by("heir_name", "id")
            if existing:
                recorded = {(s.heir_id_number_index, Fraction(s.share)) for s in existing}
                if recorded != wanted:
                    raise DomainError(ErrorCode.INHERITANCE_ALREADY_RECORDED, "heir")
                result = Inheritance(deceased.id, existing, replayed=True)
            else:
                estate = await ledger.account(
                    AccountKind.ESTATE, estate_owner(deceased.id), now=now
                )
                estate = await Account.filter(id=estate.id).select_for_update().get()
                amounts = rules.split_estate(estate.balance, [h.share for h in heirs])
                shares = [
                    await HeirShare.create(
                        deceased=deceased,
                        heir_name=h.name,
                        heir_id_number_sealed=pii.seal(h.id_number, pii.ID_NUMBER),
                        heir_id_number_index=pii.blind_index(h.id_number, pii.ID_NUMBER),
                        share=str(h.share),
                        amount=amount,
                        status=HeirShareStatus.HELD,
                        recorded_at=now,
                    )
                    for h, amount in zip(heirs, amounts, strict=True)
                ]
                await audit.record(
                    at=now,
                    actor_kind="operator",
                    actor_id=by,
                    action="inheritance.record",
                    subject_id=deceased.id,
                    detail={"heirs": len(heirs), "estate": estate.balance},
                )
                await _pay_out(shares, now=now, by=by)
                result = Inheritance(deceased.id, shares, replayed=False)
    assert result is not None, "the last attempt commits or raises"
    return result


async def settle_held_shares(id_number_indexes: list[str], *, now: datetime, by: str) -> int:
    """Pay the shares held for these heirs, now registered (a registry import). Returns
    how many were paid. Runs inside the caller's transaction."""
    held = await HeirShare.filter(
        status=HeirShareStatus.HELD, heir_id_number_index__in=id_number_indexes
    ).select_for_update()
    return await _pay_out(held, now=now, by=by) if held else 0


async def _pay_out(shares: list[HeirShare], *, now: datetime, by: str) -> int:
    """Move each payable share from its estate to the heir's carry-over balance."""
    indexes = list({s.heir_id_number_index for s in shares})
    heirs = {m.id_number_index: m for m in await Member.filter(id_number_index__in=indexes)}
    paid = 0
    by_estate: dict[uuid.UUID, list[tuple[HeirShare, Member]]] = {}
    for share in shares:
        heir = heirs.get(share.heir_id_number_index)
        if heir is None or not rules.can_inherit_into_account(heir.insurance_type, heir.status):
            continue
        by_estate.setdefault(share.deceased_id, []).append((share, heir))
    for deceased_id, payable in by_estate.items():
        estate = await ledger.account(AccountKind.ESTATE, estate_owner(deceased_id), now=now)
        movements: list[tuple[Account, int]] = []
        for share, heir in payable:
            if share.amount:
                account = await ledger.account(
                    AccountKind.PERSONAL_CARRYOVER, member_owner(heir.id), now=now
                )
                movements.append((account, share.amount))
        if movements:
            total = sum(amount for _, amount in movements)
            await ledger.post(
                kind="inheritance",
                reference=deceased_id,
                movements=[(estate, -total), *movements],
                now=now,
                memo="继承: 遗产转入继承人个人账户",
            )
        for share, heir in payable:
            await HeirShare.filter(id=share.id).update(
                status=HeirShareStatus.PAID, heir_id=heir.id, paid_at=now
            )
            share.status, share.paid_at = HeirShareStatus.PAID, now
            await audit.record(
                at=now,
                actor_kind="operator",
                actor_id=by,
                action="inheritance.pay",
                subject_id=heir.id,
                detail={"deceased": str(deceased_id), "fen": share.amount},
            )
            paid += 1
    return paid
