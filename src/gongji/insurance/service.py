"""Commercial health insurance premiums 商业健康保险 from the wallet (R16, seed 001).

Where the authorizer's region allows it, a member pays a family member's premium to an
insurer an operator registered. The same guarantees as every money move: idempotent by
the payer's key, one balanced ledger transaction, and one premium per insurer order.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from tortoise.exceptions import IntegrityError

from gongji import metrics
from gongji.audit import service as audit
from gongji.clock import china_date
from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.families import rules as family_rules
from gongji.idempotency import service as idempotency
from gongji.insurance.models import CommercialPremium, Insurer
from gongji.ledger import service as ledger
from gongji.ledger.models import Account, AccountKind
from gongji.ledger.rules import owner
from gongji.members.models import Member
from gongji.regions.policy import PolicyBook
from gongji.wallets import rules as wallet_rules
from gongji.wallets import service as wallets

ORDER_FIELD = "orderNumber"


async def register_insurer(*, code: str, name: str, now: datetime) -> Insurer:
    """An operator registers an insurer (or renames / reactivates it). Audited."""
    code, name = code.strip().upper(), name.strip()
    if not (1 <= len(code) <= 32 and code.replace("-", "").isalnum()):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "code",
            {"reason": bilingual("1–32位字母或数字", "1–32 letters or digits")},
        )
    if not 1 <= len(name) <= 128:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "name",
            {"reason": bilingual("1–128个字符", "1–128 characters")},
        )
    insurer, _ = await Insurer.update_or_create(
        code=code, defaults={"name": name, "active": True, "created_at": now}
    )
    await audit.record(
        at=now,
        actor_kind="system",
        actor_id="cli",
        action="insurer.register",
        subject_id=insurer.id,
        detail={"code": code},
    )
    return insurer


async def insurer_account(insurer_id: uuid.UUID, now: datetime) -> Account:
    return await ledger.account(
        AccountKind.PREMIUM_COLLECTION, owner("insurer", insurer_id), now=now
    )


async def pay_commercial_premium(
    *,
    payer_id: uuid.UUID,
    insured_id: uuid.UUID,
    insurer_code: str,
    order_number: str,
    amount: int,
    idempotency_key: str,
    policies: PolicyBook,
    now: datetime,
) -> tuple[CommercialPremium, bool]:
    """R16: pay one's own or a family member's commercial health insurance premium."""
    order_number = order_number.strip()
    if not 1 <= len(order_number) <= 64:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            ORDER_FIELD,
            {"reason": bilingual("1–64个字符", "1–64 characters")},
        )
    if amount <= 0:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "amount", {"reason": bilingual("须大于0", "must be positive")}
        )
    insurer = await Insurer.get_or_none(code=insurer_code.strip().upper(), active=True)
    if insurer is None:
        raise DomainError(ErrorCode.INSURER_NOT_FOUND, "insurerCode")
    # Made before the unit of work: a first-time race on it must not abort the payment.
    collection = await insurer_account(insurer.id, now)

    async def work() -> uuid.UUID:
        await wallets.require_wallet(payer_id, lock=True)  # serializes this wallet's moves
        payer = await Member.get(id=payer_id)
        wallet_rules.check_can_share(payer.insurance_type, payer.status)
        policy = policies.policy_for(payer.insured_region, china_date(now))
        if not policy.commercial_insurance_allowed:
            raise DomainError(ErrorCode.COMMERCIAL_INSURANCE_NOT_ALLOWED)
        insured = await Member.get_or_none(id=insured_id)
        if insured is None:
            raise DomainError(ErrorCode.NOT_FOUND, "relativeId")
        family_rules.check_invitee_insured(insured.status)
        if insured_id != payer_id:  # their own policy, or a family member's (R3, R8)
            _group, relationship = await wallets.shared_group_relationship(payer_id, insured_id)
            family_rules.check_relationship(relationship, policy)
        if await CommercialPremium.exists(insurer=insurer, order_number=order_number):
            raise DomainError(ErrorCode.INSURANCE_ORDER_REUSED, ORDER_FIELD)
        premium = await CommercialPremium.create(
            payer=payer,
            insured=insured,
            insurer=insurer,
            order_number=order_number,
            amount=amount,
            created_at=now,
        )
        await ledger.post(
            kind="commercial_premium",
            reference=premium.id,
            movements=[
                (await wallets.wallet_account(payer_id, now), -amount),
                (collection, amount),
            ],
            now=now,
        )
        await audit.record(
            at=now,
            actor_kind="member",
            actor_id=payer_id,
            action="insurance.premium",
            subject_id=premium.id,
            detail={"insurer": insurer.code, "amount": amount},
        )
        return premium.id

    try:
        result, replayed = await idempotency.once(
            scope=owner("member", payer_id),
            key=idempotency_key,
            operation="payCommercialInsurancePremium",
            request={
                "relative": str(insured_id),
                "insurer": insurer.code,
                "order": order_number,
                "amount": amount,
            },
            work=work,
            now=now,
        )
    except IntegrityError:  # the same order paid concurrently under another key
        raise DomainError(ErrorCode.INSURANCE_ORDER_REUSED, ORDER_FIELD) from None
    premium = await CommercialPremium.get(id=result)
    if not replayed:
        metrics.observe_money("commercial_premium", premium.amount)
    return premium, replayed
