"""Bill, payment, refund and premium use cases (R13–R18, R22)."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from gongji.audit import service as audit
from gongji.clock import china_date
from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.families import rules as family_rules
from gongji.families.models import Membership
from gongji.idempotency import service as idempotency
from gongji.institutions.models import Institution
from gongji.ledger import service as ledger
from gongji.ledger.models import AccountKind
from gongji.ledger.rules import SYSTEM, owner
from gongji.members import service as members
from gongji.members.models import Member
from gongji.members.rules import InsuranceType
from gongji.payments import rules
from gongji.payments.models import Bill, BillItem, BillStatus, Payment, PremiumPayment, Refund
from gongji.payments.rules import BillFigures, VisitType
from gongji.records import service as records
from gongji.regions.policy import PolicyBook
from gongji.wallets import rules as wallet_rules
from gongji.wallets import service as wallets
from gongji.wallets.models import Authorization, AuthorizationStatus


def institution_owner(institution_id: object) -> str:
    return owner("institution", institution_id)


def _content_hash(patient: str, buyer: str | None, bill: BillFigures) -> str:
    content = [
        patient,
        buyer,
        bill.visit_type.value,
        bill.medfee_sumamt,
        bill.hifp_pay,
        bill.fulamt_ownpay_amt,
        [(i.name, i.category.value, i.amount) for i in bill.items],
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


async def _registered(name: str, id_number: str, field: str) -> Member:
    member = await members.find(id_number, name=name, field=field)
    if member is None:
        raise DomainError(ErrorCode.MEMBER_NOT_FOUND, field)
    return member


async def create_bill(
    *,
    institution_id: uuid.UUID,
    external_ref: str,
    patient_name: str,
    patient_id_number: str,
    proxy_buyer: tuple[str, str] | None,
    figures: BillFigures,
    now: datetime,
) -> Bill:
    """An institution bills a patient. The same settlement reference twice returns one bill."""
    external_ref = external_ref.strip()
    if not 1 <= len(external_ref) <= 64:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "externalRef",
            {"reason": bilingual("1–64个字符", "1–64 characters")},
        )
    rules.check_bill(figures)
    patient = await _registered(patient_name, patient_id_number, "patientIdNumber")
    buyer = None
    if proxy_buyer is not None:
        if figures.visit_type is not VisitType.PHARMACY:
            raise DomainError(ErrorCode.PROXY_PURCHASE_PHARMACY_ONLY, "proxyBuyerIdNumber")
        buyer = await _registered(*proxy_buyer, "proxyBuyerIdNumber")
    digest = _content_hash(patient.id_number, buyer.id_number if buyer else None, figures)
    # Created before the unit of work: a first-time race on it must not abort the bill's
    # transaction (on InnoDB a conflicting row cannot be read back under REPEATABLE READ).
    await ledger.account(AccountKind.INSTITUTION, institution_owner(institution_id), now=now)
    existing = await Bill.get_or_none(institution_id=institution_id, external_ref=external_ref)
    if existing is not None:
        if existing.content_hash != digest:
            raise DomainError(ErrorCode.BILL_REFERENCE_REUSED, "externalRef")
        return existing
    try:
        async with in_transaction():
            bill = await Bill.create(
                institution_id=institution_id,
                external_ref=external_ref,
                content_hash=digest,
                patient=patient,
                proxy_buyer=buyer,
                visit_type=figures.visit_type,
                medfee_sumamt=figures.medfee_sumamt,
                hifp_pay=figures.hifp_pay,
                fulamt_ownpay_amt=figures.fulamt_ownpay_amt,
                created_at=now,
            )
            await BillItem.bulk_create(
                [
                    BillItem(
                        bill=bill,
                        position=n,
                        name=i.name.strip(),
                        category=i.category,
                        amount=i.amount,
                    )
                    for n, i in enumerate(figures.items)
                ]
            )
    except IntegrityError:  # the same reference was created concurrently
        return await create_bill(
            institution_id=institution_id,
            external_ref=external_ref,
            patient_name=patient_name,
            patient_id_number=patient_id_number,
            proxy_buyer=proxy_buyer,
            figures=figures,
            now=now,
        )
    return bill


async def figures_of(bill: Bill) -> BillFigures:
    items = await BillItem.filter(bill=bill).order_by("position")
    return BillFigures(
        visit_type=bill.visit_type,
        items=tuple(rules.LineItem(i.name, i.category, i.amount) for i in items),
        medfee_sumamt=bill.medfee_sumamt,
        hifp_pay=bill.hifp_pay,
        fulamt_ownpay_amt=bill.fulamt_ownpay_amt,
    )


async def _still_family(authorization: Authorization) -> None:
    """R9: the relationship behind the authorization must still stand."""
    both = await Membership.filter(
        group_id=authorization.group_id,  # type: ignore[attr-defined]
        member_id__in=[authorization.authorizer_id, authorization.relative_id],  # type: ignore[attr-defined]
        active=True,
        group__active=True,
    ).count()
    if both != 2:
        raise DomainError(ErrorCode.AUTHORIZATION_NOT_ACTIVE, "authorizationId")


async def pay(
    *,
    member_id: uuid.UUID,
    bill_id: uuid.UUID,
    authorization_id: uuid.UUID,
    idempotency_key: str,
    policies: PolicyBook,
    now: datetime,
) -> tuple[Payment, bool]:
    """The patient pays a bill with family money (R13–R18). Idempotent; safe under races.

    The bill and the authorization rows are locked for the transaction, and the ledger's
    conditional debit of the quota account is the last line: no path overdraws a quota.
    """

    async def work() -> uuid.UUID:
        bill = await Bill.filter(id=bill_id).select_for_update().get_or_none()
        if bill is None:
            raise DomainError(ErrorCode.NOT_FOUND, "billId")
        if bill.patient_id != member_id:  # type: ignore[attr-defined]
            raise DomainError(ErrorCode.NOT_BILL_PATIENT, "billId")
        if bill.status is not BillStatus.OPEN:
            raise DomainError(ErrorCode.BILL_ALREADY_PAID, "billId")
        authorization = (
            await Authorization.filter(id=authorization_id).select_for_update().get_or_none()
        )
        if authorization is None:
            raise DomainError(ErrorCode.NOT_FOUND, "authorizationId")
        if authorization.relative_id != member_id:  # type: ignore[attr-defined]
            raise DomainError(ErrorCode.AUTHORIZATION_NOT_FOR_PATIENT, "authorizationId")
        if authorization.status is not AuthorizationStatus.ACTIVE:
            raise DomainError(ErrorCode.AUTHORIZATION_NOT_ACTIVE, "authorizationId")
        await _still_family(authorization)
        authorizer = await Member.get(id=authorization.authorizer_id)  # type: ignore[attr-defined]
        patient = await Member.get(id=member_id)
        wallet_rules.check_can_share(authorizer.insurance_type, authorizer.status)
        family_rules.check_invitee_insured(patient.status)
        institution = await Institution.get(id=bill.institution_id)  # type: ignore[attr-defined]
        policy = policies.policy_for(authorizer.insured_region, china_date(now))
        rules.check_scope(policy, institution.region)
        rules.check_visit_type(bill.visit_type, policy)
        cover = rules.coverage(await figures_of(bill), policy.excluded_categories)
        family, cash = rules.split(cover, authorization.quota - authorization.spent)
        payment = await Payment.create(
            bill=bill,
            authorization=authorization,
            patient=patient,
            authorizer=authorizer,
            institution=institution,
            personal_share=cover.personal_share,
            family_amount=family,
            cash_amount=cash,
            excluded_amount=cover.excluded_amount,
            excluded_items=list(cover.excluded_items),
            created_at=now,
        )
        await Authorization.filter(id=authorization.id).update(
            spent=F("spent") + family, updated_at=now
        )
        await records.record_payment(payment, bill, patient, authorizer, now)
        await Bill.filter(id=bill.id).update(status=BillStatus.PAID)
        await ledger.post(
            kind="payment",
            reference=payment.id,
            movements=[
                (await wallets.quota_account(authorization.id, now), -family),
                (
                    await ledger.account(
                        AccountKind.INSTITUTION, institution_owner(institution.id), now=now
                    ),
                    family,
                ),
            ],
            now=now,
            shortfall=ErrorCode.QUOTA_EXHAUSTED,
        )
        return payment.id

    result, replayed = await idempotency.once(
        scope=owner("member", member_id),
        key=idempotency_key,
        operation="pay",
        request={"bill": str(bill_id), "authorization": str(authorization_id)},
        work=work,
        now=now,
    )
    return await Payment.get(id=result), replayed


async def refund(
    *,
    institution_id: uuid.UUID,
    payment_id: uuid.UUID,
    amount: int,
    reason: str,
    idempotency_key: str,
    now: datetime,
) -> tuple[Refund, bool]:
    """The institution refunds family money, in full or part; the quota comes back (R11, R22).

    If the authorization has ended meanwhile, the money returns to the authorizer's wallet.
    """

    async def work() -> uuid.UUID:
        payment = await Payment.filter(id=payment_id).select_for_update().get_or_none()
        if payment is None or payment.institution_id != institution_id:  # type: ignore[attr-defined]
            raise DomainError(ErrorCode.NOT_FOUND, "paymentId")
        rules.check_refund(amount, payment.family_amount, payment.refunded)
        authorization = (
            await Authorization.filter(id=payment.authorization_id)  # type: ignore[attr-defined]
            .select_for_update()
            .get()
        )
        active = authorization.status is AuthorizationStatus.ACTIVE
        target = (
            await wallets.quota_account(authorization.id, now)
            if active
            else await wallets.wallet_account(authorization.authorizer_id, now)  # type: ignore[attr-defined]
        )
        refund = await Refund.create(
            payment=payment,
            amount=amount,
            to_wallet=not active,
            reason=reason.strip()[:255],
            created_at=now,
        )
        await Payment.filter(id=payment.id).update(refunded=F("refunded") + amount)
        bill = await Bill.get(id=payment.bill_id)  # type: ignore[attr-defined]
        await records.record_refund(refund, payment, bill, now)
        await Authorization.filter(id=authorization.id).update(
            spent=F("spent") - amount, updated_at=now
        )
        fully = payment.refunded + amount == payment.family_amount
        await Bill.filter(id=payment.bill_id).update(  # type: ignore[attr-defined]
            status=BillStatus.REFUNDED if fully else BillStatus.PARTIALLY_REFUNDED
        )
        await ledger.post(
            kind="refund",
            reference=refund.id,
            movements=[
                (
                    await ledger.account(
                        AccountKind.INSTITUTION, institution_owner(institution_id), now=now
                    ),
                    -amount,
                ),
                (target, amount),
            ],
            now=now,
        )
        await audit.record(
            at=now,
            actor_kind="institution",
            actor_id=institution_id,
            action="payment.refund",
            subject_id=payment.id,
            reason=reason,
            detail={"amount": amount},
        )
        return refund.id

    result, replayed = await idempotency.once(
        scope=owner("institution", institution_id),
        key=idempotency_key,
        operation="refundPayment",
        request={"payment": str(payment_id), "amount": amount},
        work=work,
        now=now,
    )
    return await Refund.get(id=result), replayed


async def pay_resident_premium(
    *,
    payer_id: uuid.UUID,
    relative_id: uuid.UUID,
    year: int,
    amount: int,
    idempotency_key: str,
    policies: PolicyBook,
    now: datetime,
) -> tuple[PremiumPayment, bool]:
    """R16: pay a family member's resident-insurance premium from the wallet."""
    rules.check_premium_year(year, china_date(now).year)

    collection = await ledger.account(AccountKind.PREMIUM_COLLECTION, SYSTEM, now=now)

    async def work() -> uuid.UUID:
        await wallets.require_wallet(payer_id, lock=True)
        payer = await Member.get(id=payer_id)
        wallet_rules.check_can_share(payer.insurance_type, payer.status)
        policy = policies.policy_for(payer.insured_region, china_date(now))
        if not policy.premium_payment_allowed:
            raise DomainError(ErrorCode.PREMIUM_NOT_ALLOWED)
        relative = await Member.get_or_none(id=relative_id)
        if relative is None:
            raise DomainError(ErrorCode.NOT_FOUND, "relativeId")
        if relative.insurance_type is not InsuranceType.RESIDENT:
            raise DomainError(ErrorCode.RELATIVE_NOT_RESIDENT_INSURED, "relativeId")
        _group, relationship = await wallets.shared_group_relationship(payer_id, relative_id)
        family_rules.check_relationship(relationship, policy)
        if await PremiumPayment.exists(relative_id=relative_id, year=year):
            raise DomainError(ErrorCode.PREMIUM_ALREADY_PAID, "year", {"year": year})
        premium = await PremiumPayment.create(
            payer=payer, relative=relative, year=year, amount=amount, created_at=now
        )
        await records.record_premium(premium, payer, relative, now)
        await ledger.post(
            kind="premium",
            reference=premium.id,
            movements=[
                (await wallets.wallet_account(payer_id, now), -amount),
                (collection, amount),
            ],
            now=now,
        )
        return premium.id

    try:
        result, replayed = await idempotency.once(
            scope=owner("member", payer_id),
            key=idempotency_key,
            operation="payResidentPremium",
            request={"relative": str(relative_id), "year": year, "amount": amount},
            work=work,
            now=now,
        )
    except IntegrityError:  # a concurrent payment for the same relative and year
        raise DomainError(ErrorCode.PREMIUM_ALREADY_PAID, "year", {"year": year}) from None
    return await PremiumPayment.get(id=result), replayed
