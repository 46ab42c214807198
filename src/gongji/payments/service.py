"""Bill, payment, refund and premium use cases (R13–R18, R22)."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from gongji import metrics
from gongji.audit import service as audit
from gongji.clock import china_date
from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.families import rules as family_rules
from gongji.families.models import Membership
from gongji.idempotency import service as idempotency
from gongji.institutions.models import Institution
from gongji.ledger import service as ledger
from gongji.ledger.models import Account, AccountKind
from gongji.ledger.rules import owner
from gongji.members import queries as members
from gongji.members.models import Member
from gongji.members.rules import InsuranceType
from gongji.payments import queries, rules
from gongji.payments.models import (
    Bill,
    BillItem,
    BillStatus,
    Payment,
    PaymentCode,
    PremiumPayment,
    Refund,
)
from gongji.payments.rules import BillFigures, VisitType
from gongji.records import service as records
from gongji.regions.code import RegionCode
from gongji.regions.policy import PolicyBook
from gongji.transactions import atomic
from gongji.wallets import rules as wallet_rules
from gongji.wallets import service as wallets
from gongji.wallets.models import Authorization, AuthorizationStatus


def institution_owner(institution_id: object) -> str:
    return owner("institution", institution_id)


async def premium_account(city: str, now: datetime) -> Account:
    """保费归集: resident premiums collected for one insured city (R29)."""
    return await ledger.account(AccountKind.PREMIUM_COLLECTION, owner("region", city), now=now)


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


Moved = TypeVar("Moved", Payment, Refund, PremiumPayment)


def _metered(kind: str, moved: Moved, replayed: bool) -> tuple[Moved, bool]:
    """Count a committed money move once (a replay moved nothing)."""
    if not replayed:
        fen = moved.family_amount if isinstance(moved, Payment) else moved.amount
        metrics.observe_money(kind, fen)
    return moved, replayed


async def _registered(name: str, id_number: str, field: str) -> Member:
    member = await members.find(id_number, name=name, field=field)
    if member is None:
        raise DomainError(ErrorCode.MEMBER_NOT_FOUND, field)
    return member


@dataclass(frozen=True)
class BillRequest:
    """What an institution sends to bill a patient, checked and resolved to members."""

    institution_id: uuid.UUID
    external_ref: str
    patient: Member
    proxy_buyer: Member | None
    figures: BillFigures
    digest: str


async def _bill_request(
    *,
    institution_id: uuid.UUID,
    external_ref: str,
    patient_name: str,
    patient_id_number: str,
    proxy_buyer: tuple[str, str] | None,
    figures: BillFigures,
) -> BillRequest:
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
    return BillRequest(institution_id, external_ref, patient, buyer, figures, digest)


async def _existing_bill(request: BillRequest, *, lock: bool = False) -> Bill | None:
    """The bill already made with this settlement number; the same content, or refused."""
    query = Bill.filter(institution_id=request.institution_id, external_ref=request.external_ref)
    existing = await (query.select_for_update() if lock else query).get_or_none()
    if existing is not None and existing.content_hash != request.digest:
        raise DomainError(ErrorCode.BILL_REFERENCE_REUSED, "externalRef")
    return existing


async def _insert_bill(request: BillRequest, now: datetime) -> Bill:
    """Inside the caller's transaction."""
    figures = request.figures
    bill = await Bill.create(
        institution_id=request.institution_id,
        external_ref=request.external_ref,
        content_hash=request.digest,
        patient=request.patient,
        proxy_buyer=request.proxy_buyer,
        visit_type=figures.visit_type,
        medfee_sumamt=figures.medfee_sumamt,
        hifp_pay=figures.hifp_pay,
        fulamt_ownpay_amt=figures.fulamt_ownpay_amt,
        created_at=now,
    )
    await BillItem.bulk_create(
        [
            BillItem(
                bill=bill, position=n, name=i.name.strip(), category=i.category, amount=i.amount
            )
            for n, i in enumerate(figures.items)
        ]
    )
    return bill


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
    request = await _bill_request(
        institution_id=institution_id,
        external_ref=external_ref,
        patient_name=patient_name,
        patient_id_number=patient_id_number,
        proxy_buyer=proxy_buyer,
        figures=figures,
    )
    # Created before the unit of work: a first-time race on it must not abort the bill's
    # transaction (on InnoDB a conflicting row cannot be read back under REPEATABLE READ).
    await ledger.account(AccountKind.INSTITUTION, institution_owner(institution_id), now=now)
    existing = await _existing_bill(request)
    if existing is not None:
        return existing
    try:
        return await atomic(lambda: _insert_bill(request, now))
    except IntegrityError:  # the same reference was created concurrently
        existing = await _existing_bill(request)
        if existing is None:
            raise
        return existing


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
        group_id=authorization.group_id,
        member_id__in=[authorization.authorizer_id, authorization.relative_id],
        active=True,
        group__active=True,
    ).count()
    if both != 2:
        raise DomainError(ErrorCode.AUTHORIZATION_NOT_ACTIVE, "authorizationId")


async def _settle(
    *,
    member_id: uuid.UUID,
    bill_id: uuid.UUID,
    authorization_id: uuid.UUID,
    policies: PolicyBook,
    now: datetime,
) -> Payment:
    """The payment itself (R13–R18), inside the caller's unit of work.

    The bill and the authorization rows are locked for the transaction, and the ledger's
    conditional debit of the quota account is the last line: no path overdraws a quota.
    """
    bill = await Bill.filter(id=bill_id).select_for_update().get_or_none()
    if bill is None:
        raise DomainError(ErrorCode.NOT_FOUND, "billId")
    if bill.patient_id != member_id:
        raise DomainError(ErrorCode.NOT_BILL_PATIENT, "billId")
    if bill.status is not BillStatus.OPEN:
        raise DomainError(ErrorCode.BILL_ALREADY_PAID, "billId")
    authorization = (
        await Authorization.filter(id=authorization_id).select_for_update().get_or_none()
    )
    if authorization is None:
        raise DomainError(ErrorCode.NOT_FOUND, "authorizationId")
    if authorization.relative_id != member_id:
        raise DomainError(ErrorCode.AUTHORIZATION_NOT_FOR_PATIENT, "authorizationId")
    if authorization.status is not AuthorizationStatus.ACTIVE:
        raise DomainError(ErrorCode.AUTHORIZATION_NOT_ACTIVE, "authorizationId")
    await _still_family(authorization)
    authorizer = await Member.get(id=authorization.authorizer_id)
    patient = await Member.get(id=member_id)
    wallet_rules.check_can_share(authorizer.insurance_type, authorizer.status)
    family_rules.check_invitee_insured(patient.status)
    institution = await Institution.get(id=bill.institution_id)
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
    return payment


async def pay(
    *,
    member_id: uuid.UUID,
    bill_id: uuid.UUID,
    authorization_id: uuid.UUID,
    idempotency_key: str,
    policies: PolicyBook,
    now: datetime,
) -> tuple[Payment, bool]:
    """The patient pays a bill with family money (R13–R18). Idempotent; safe under races."""

    async def work() -> uuid.UUID:
        payment = await _settle(
            member_id=member_id,
            bill_id=bill_id,
            authorization_id=authorization_id,
            policies=policies,
            now=now,
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
    return _metered("pay", await Payment.get(id=result), replayed)


PAYMENT_CODE_TTL = timedelta(minutes=5)
PAYMENT_CODE_DIGITS = 18  # what a counter scanner reads from a 医保码


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


async def create_payment_code(
    *, member_id: uuid.UUID, authorization_id: uuid.UUID, now: datetime
) -> tuple[str, PaymentCode]:
    """付款码: a one-time code for one of the patient's authorizations, valid five minutes.

    Returns the code (shown once; only its hash is kept) and its row.
    """
    authorization = await Authorization.get_or_none(id=authorization_id)
    if authorization is None:
        raise DomainError(ErrorCode.NOT_FOUND, "authorizationId")
    if not await Authorization.exists(id=authorization_id, relative_id=member_id):
        raise DomainError(ErrorCode.AUTHORIZATION_NOT_FOR_PATIENT, "authorizationId")
    if authorization.status is not AuthorizationStatus.ACTIVE:
        raise DomainError(ErrorCode.AUTHORIZATION_NOT_ACTIVE, "authorizationId")
    code = f"{secrets.randbelow(10**PAYMENT_CODE_DIGITS):0{PAYMENT_CODE_DIGITS}d}"
    row = await PaymentCode.create(
        code_hash=_code_hash(code),
        patient_id=member_id,
        authorization=authorization,
        created_at=now,
        expires_at=now + PAYMENT_CODE_TTL,
    )
    return code, row


async def _claim_code(code_hash: str, patient_id: uuid.UUID, now: datetime) -> PaymentCode:
    """Lock the code for this transaction: one use, in time, by the bill's patient (R17)."""
    code = await PaymentCode.filter(code_hash=code_hash).select_for_update().get_or_none()
    if code is None:
        raise DomainError(ErrorCode.PAYMENT_CODE_NOT_FOUND, "paymentCode")
    if code.used_at is not None:
        raise DomainError(ErrorCode.PAYMENT_CODE_USED, "paymentCode")
    if now >= code.expires_at:
        minutes = PAYMENT_CODE_TTL.seconds // 60
        raise DomainError(ErrorCode.PAYMENT_CODE_EXPIRED, "paymentCode", {"minutes": minutes})
    if code.patient_id != patient_id:
        raise DomainError(ErrorCode.PAYMENT_CODE_NOT_FOR_PATIENT, "paymentCode")
    return code


async def settle_with_payment_code(
    *,
    institution_id: uuid.UUID,
    external_ref: str,
    patient_name: str,
    patient_id_number: str,
    proxy_buyer: tuple[str, str] | None,
    figures: BillFigures,
    payment_code: str,
    idempotency_key: str,
    policies: PolicyBook,
    now: datetime,
) -> tuple[Payment, bool]:
    """At the counter: bill the patient and pay with their code, in one unit of work.

    The same payment as `pay` (rules, locks, ledger); nothing is written if it is refused,
    the bill included. Idempotent by the institution's key.
    """
    request = await _bill_request(
        institution_id=institution_id,
        external_ref=external_ref,
        patient_name=patient_name,
        patient_id_number=patient_id_number,
        proxy_buyer=proxy_buyer,
        figures=figures,
    )
    code_hash = _code_hash(payment_code)
    await ledger.account(AccountKind.INSTITUTION, institution_owner(institution_id), now=now)

    async def work() -> uuid.UUID:
        code = await _claim_code(code_hash, request.patient.id, now)
        bill = await _existing_bill(request, lock=True) or await _insert_bill(request, now)
        payment = await _settle(
            member_id=request.patient.id,
            bill_id=bill.id,
            authorization_id=code.authorization_id,
            policies=policies,
            now=now,
        )
        await PaymentCode.filter(id=code.id).update(used_at=now, payment_id=payment.id)
        return payment.id

    async def once() -> tuple[str, bool]:
        return await idempotency.once(
            scope=owner("institution", institution_id),
            key=idempotency_key,
            operation="settleWithPaymentCode",
            request={
                "externalRef": request.external_ref,
                "bill": request.digest,
                "code": code_hash,
            },
            work=work,
            now=now,
        )

    try:
        result, replayed = await once()
    except IntegrityError:  # the same settlement number was billed concurrently: use that bill
        result, replayed = await once()
    return _metered("pay", await Payment.get(id=result), replayed)


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
        if payment is None or payment.institution_id != institution_id:
            raise DomainError(ErrorCode.NOT_FOUND, "paymentId")
        rules.check_refund(amount, payment.family_amount, payment.refunded)
        authorization = (
            await Authorization.filter(id=payment.authorization_id).select_for_update().get()
        )
        active = authorization.status is AuthorizationStatus.ACTIVE
        target = (
            await wallets.quota_account(authorization.id, now)
            if active
            else await wallets.wallet_account(authorization.authorizer_id, now)
        )
        refund = await Refund.create(
            payment=payment,
            amount=amount,
            to_wallet=not active,
            reason=reason.strip()[:255],
            created_at=now,
        )
        await Payment.filter(id=payment.id).update(refunded=F("refunded") + amount)
        bill = await Bill.get(id=payment.bill_id)
        await records.record_refund(refund, payment, bill, now)
        await Authorization.filter(id=authorization.id).update(
            spent=F("spent") - amount, updated_at=now
        )
        fully = payment.refunded + amount == payment.family_amount
        await Bill.filter(id=payment.bill_id).update(
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
    return _metered("refund", await Refund.get(id=result), replayed)


async def refund_bill(
    *,
    institution_id: uuid.UUID,
    bill_id: uuid.UUID | None,
    external_ref: str | None,
    amount: int,
    reason: str,
    idempotency_key: str,
    now: datetime,
) -> tuple[Refund, bool]:
    """The institution refunds by its own bill (our id or its settlement number)."""
    if (bill_id is None) == (external_ref is None):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "billId",
            {"reason": bilingual("须给出账单编号或结算单号之一", "give billId or externalRef")},
        )
    bill = await queries.institution_bill(
        institution_id, bill_id=bill_id, external_ref=external_ref
    )
    if bill is None:
        raise DomainError(ErrorCode.NOT_FOUND, "billId" if bill_id else "externalRef")
    payment = await Payment.get_or_none(bill_id=bill.id)
    if payment is None:
        raise DomainError(ErrorCode.BILL_NOT_PAID, "billId" if bill_id else "externalRef")
    return await refund(
        institution_id=institution_id,
        payment_id=payment.id,
        amount=amount,
        reason=reason,
        idempotency_key=idempotency_key,
        now=now,
    )


async def desk_lookup(
    *,
    institution_id: uuid.UUID,
    patient_name: str,
    patient_id_number: str,
    since: date | None,
    until: date | None,
    reason: str,
    now: datetime,
) -> tuple[uuid.UUID, tuple[datetime | None, datetime | None]]:
    """R27: the settlement desk names a patient and a period, and says why; audited.

    A name and ID number that do not match, or a patient never billed here, get the same
    answer, so the desk learns nothing about people who are not its patients.
    """
    reason = rules.check_desk_reason(reason)
    window = rules.period(since, until, "from")
    member = await members.find(patient_id_number, name=patient_name, field="patientIdNumber")
    if member is None or not await queries.ever_billed(institution_id, member.id):
        raise DomainError(ErrorCode.MEMBER_NOT_FOUND)
    await audit.record(
        at=now,
        actor_kind="institution",
        actor_id=institution_id,
        action="payments.desk_read",
        subject_id=member.id,
        reason=reason,
        detail={"from": str(since or ""), "to": str(until or "")},
    )
    return member.id, window


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
    """R16: pay a family member's resident-insurance premium from the wallet.

    R29: the premium goes to the premium account of the relative's insured city.
    """
    rules.check_premium_year(year, china_date(now).year)
    insured = await Member.get_or_none(id=relative_id)
    if insured is None:
        raise DomainError(ErrorCode.NOT_FOUND, "relativeId")
    region = str(RegionCode(insured.insured_region).city)
    collection = await premium_account(region, now)

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
        # moved since the read above: their new city
        to = str(RegionCode(relative.insured_region).city)
        premium = await PremiumPayment.create(
            payer=payer, relative=relative, year=year, amount=amount, created_at=now, region=to
        )
        await records.record_premium(premium, payer, relative, now)
        await ledger.post(
            kind="premium",
            reference=premium.id,
            movements=[
                (await wallets.wallet_account(payer_id, now), -amount),
                (collection if to == region else await premium_account(to, now), amount),
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
    return _metered("premium", await PremiumPayment.get(id=result), replayed)
