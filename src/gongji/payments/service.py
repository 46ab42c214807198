"""Bill, payment, refund and premium use cases (R13–R18, R22)."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from gongji import metrics
from gongji.audit import service as audit
from gongji.clock import china_date
from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.families import rules as family_rules
from gongji.fraud import rules as fraud_rules
from gongji.fraud import service as fraud
from gongji.idempotency import service as idempotency
from gongji.ledger import service as ledger
from gongji.ledger.models import Account, AccountKind
from gongji.ledger.rules import owner
from gongji.members import queries as members
from gongji.members.models import Member
from gongji.members.rules import InsuranceType
from gongji.notices import service as notices
from gongji.notices.rules import Draft, NoticeKind, nearly_used_up
from gongji.payments import queries, rules, settlement
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
from gongji.records.models import UsageRecord
from gongji.regions.code import RegionCode
from gongji.regions.policy import PolicyBook, RegionPolicy
from gongji.sql import Writes
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


async def _refusal_without_rows(
    member_id: uuid.UUID, bill_id: uuid.UUID, authorization_id: uuid.UUID
) -> DomainError:
    """The bill or the authorization is missing: say which, in the rules' order."""
    bill = await Bill.get_or_none(id=bill_id)
    if bill is None:
        return DomainError(ErrorCode.NOT_FOUND, "billId")
    if bill.patient_id != member_id:
        return DomainError(ErrorCode.NOT_BILL_PATIENT, "billId")
    if bill.status is not BillStatus.OPEN:
        return DomainError(ErrorCode.BILL_ALREADY_PAID, "billId")
    return DomainError(ErrorCode.NOT_FOUND, "authorizationId")


async def _settle(
    *,
    member_id: uuid.UUID,
    bill_id: uuid.UUID,
    authorization_id: uuid.UUID,
    policies: PolicyBook,
    now: datetime,
    writes: Writes,
) -> Payment:
    """The payment itself (R13–R18), inside the caller's unit of work; its writes go into
    `writes`, which the caller sends (with its own) before the transaction commits.

    Two reads (settlement.py): the bill and the authorization rows locked, then everything
    else the rules need. The ledger's conditional debit of the quota account is the last
    line: no path overdraws a quota. Returns the payment as it will be written.
    """
    locked = await settlement.lock(bill_id, authorization_id)
    if locked is None:
        raise await _refusal_without_rows(member_id, bill_id, authorization_id)
    bill, authorization = locked.bill, locked.authorization
    if bill.patient_id != member_id:
        raise DomainError(ErrorCode.NOT_BILL_PATIENT, "billId")
    if bill.status is not BillStatus.OPEN:
        raise DomainError(ErrorCode.BILL_ALREADY_PAID, "billId")
    if locked.relative_id != member_id:
        raise DomainError(ErrorCode.AUTHORIZATION_NOT_FOR_PATIENT, "authorizationId")
    if authorization.status is not AuthorizationStatus.ACTIVE:
        raise DomainError(ErrorCode.AUTHORIZATION_NOT_ACTIVE, "authorizationId")
    wallet_rules.check_not_on_hold(authorization.hold_rule)
    wallet_rules.check_not_expired(authorization.valid_until, now)
    seen = await settlement.facts(
        locked, wallets.quota_owner(authorization.id), institution_owner(bill.institution_id)
    )
    if not seen.both_in_family:  # R9: the relationship behind the authorization stands
        raise DomainError(ErrorCode.AUTHORIZATION_NOT_ACTIVE, "authorizationId")
    wallet_rules.check_can_share(seen.authorizer_type, seen.authorizer_status)
    family_rules.check_invitee_insured(seen.patient_status)
    policy = policies.policy_for(seen.authorizer_region, china_date(now))
    rules.check_scope(policy, seen.institution_region)
    rules.check_visit_type(bill.visit_type, policy)
    cover = rules.coverage(seen.figures(bill), policy.excluded_categories)
    spendable = wallet_rules.spendable(
        quota=authorization.quota,
        spent=authorization.spent,
        monthly_cap=authorization.monthly_cap,
        month_spent=authorization.month_spent,
        counted_month=authorization.month_of,
        now=now,
    )
    family, cash = rules.split(cover, spendable)
    fired = await _fraud_rules_fired(
        authorization, bill, seen.institution_region, family, policy, now
    )
    payment = Payment(
        id=uuid.uuid4(),
        bill_id=bill.id,
        authorization_id=authorization.id,
        patient_id=member_id,
        authorizer_id=locked.authorizer_id,
        institution_id=bill.institution_id,
        personal_share=cover.personal_share,
        family_amount=family,
        cash_amount=cash,
        excluded_amount=cover.excluded_amount,
        excluded_items=list(cover.excluded_items),
        refunded=0,
        created_at=now,
    )
    writes.insert(Payment, [{name: getattr(payment, name) for name in _PAYMENT_FIELDS}])
    writes.insert(
        UsageRecord,
        [records.payment_record(payment, bill, (seen.patient_region, seen.authorizer_region), now)],
    )
    # The month's counter is set from the locked row (the 1st, China time, starts it again);
    # a fraud rule that fired puts the authorization on hold in the same statement.
    month_spent = wallet_rules.spent_this_month(
        authorization.month_spent, authorization.month_of, now
    )
    hold = ', "hold_rule" = ?' if fired else ""
    writes.update(
        'UPDATE "authorization" SET "spent" = "spent" + ?, "month_spent" = ?, "month_of" = ?,'
        f' "updated_at" = ?{hold} WHERE "id" = ?',
        [
            family,
            month_spent + family,
            _when(Authorization, "month_of", wallet_rules.month_of(now)),
            _when(Authorization, "updated_at", now),
            *([fired[0]["rule"]] if fired else []),
            str(authorization.id),
        ],
    )
    if fired:
        fraud.place_hold_in(
            writes,
            authorization_id=authorization.id,
            payment_id=payment.id,
            fired=fired,
            region=seen.authorizer_region,
            now=now,
        )
    writes.update(
        'UPDATE "bill" SET "status" = ? WHERE "id" = ?', [BillStatus.PAID.value, str(bill.id)]
    )
    quota = seen.quota_account or await wallets.quota_account(authorization.id, now)
    paid_to = seen.institution_account or await ledger.account(
        AccountKind.INSTITUTION, institution_owner(bill.institution_id), now=now
    )
    await ledger.post_in(
        writes,
        kind="payment",
        reference=payment.id,
        movements=[(quota, -family), (paid_to, family)],
        now=now,
        shortfall=ErrorCode.QUOTA_EXHAUSTED,
    )
    drafts = _payment_notices(payment, authorization, seen.names, policy)
    if fired:
        drafts.append(
            Draft(
                payment.authorizer_id,
                NoticeKind.HOLD_PLACED,
                {
                    "counterpart": seen.names.patient,
                    "rule": fired[0]["rule"],
                    "authorization_id": str(authorization.id),
                },
            )
        )
    await notices.notify_in(writes, drafts, now=now)  # one INSERT, whatever their number
    return payment


async def _fraud_rules_fired(
    authorization: Authorization,
    bill: Bill,
    institution_region: str,
    family: int,
    policy: RegionPolicy,
    now: datetime,
) -> list[dict[str, Any]]:
    """R21: the rules of the authorizer's region on this payment (at most one read: the
    authorization's recent payments, only if a rule looks at history)."""
    detection = policy.fraud_rules
    if not detection:
        return []
    past: list[fraud_rules.PastPayment] = []
    if fraud_rules.needs_history(detection):
        since = fraud_rules.window_start(detection, now)
        past = await fraud.recent_payments(authorization.id, since, authorization.hold_cleared_at)
    new = fraud_rules.NewPayment(
        at=now,
        pharmacy=bill.visit_type is VisitType.PHARMACY,
        city=str(RegionCode(institution_region).city),
        proxy=bill.proxy_buyer_id is not None,
        family_amount=family,
        quota=authorization.quota,
        spent_after=authorization.spent + family,
        quota_granted_at=authorization.quota_granted_at or authorization.created_at,
    )
    return fraud_rules.fired(detection, new, past)


_PAYMENT_FIELDS = (
    "id",
    "bill_id",
    "authorization_id",
    "patient_id",
    "authorizer_id",
    "institution_id",
    "personal_share",
    "family_amount",
    "cash_amount",
    "excluded_amount",
    "excluded_items",
    "refunded",
    "created_at",
)


def _when(model: type[Model], name: str, value: object) -> object:
    """A value as the ORM writes it into this column."""
    return model._meta.fields_map[name].to_db_value(value, model)


def _payment_notices(
    payment: Payment, authorization: Authorization, names: settlement.Names, policy: RegionPolicy
) -> list[Draft]:
    """To the authorizer: who, where, how much, what is left (never line items); to both,
    once, when the quota crosses the region's nearly-used-up threshold."""
    before = authorization.quota - authorization.spent
    after = before - payment.family_amount
    ids = {"authorization_id": str(authorization.id)}
    drafts = [
        Draft(
            payment.authorizer_id,
            NoticeKind.AUTHORIZATION_USED,
            {
                "counterpart": names.patient,
                "institution": names.institution,
                "amount": payment.family_amount,
                "remaining": after,
                "payment_id": str(payment.id),
                **ids,
            },
        )
    ]
    if nearly_used_up(authorization.quota, before, after, policy.quota_nearly_used_up_percent):
        low = {"remaining": after, "quota": authorization.quota, **ids}
        drafts += [
            Draft(
                payment.authorizer_id,
                NoticeKind.QUOTA_NEARLY_USED_UP,
                {"counterpart": names.patient, **low},
            ),
            Draft(
                payment.patient_id,
                NoticeKind.QUOTA_NEARLY_USED_UP,
                {"counterpart": names.authorizer, **low},
            ),
        ]
    return drafts


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

    The common case talks to the database five times: BEGIN, the locked read, the read of
    the rest, one batch of every write (idempotency record, payment, usage record, ledger
    transaction and entries, the authorization, the bill and both balances), COMMIT.
    """
    paid: Payment | None = None

    async def work(writes: Writes) -> uuid.UUID:
        nonlocal paid
        paid = await _settle(
            member_id=member_id,
            bill_id=bill_id,
            authorization_id=authorization_id,
            policies=policies,
            now=now,
            writes=writes,
        )
        return paid.id

    result, replayed = await idempotency.once_in_batch(
        scope=owner("member", member_id),
        key=idempotency_key,
        operation="pay",
        request={"bill": str(bill_id), "authorization": str(authorization_id)},
        work=work,
        now=now,
    )
    if replayed or paid is None:
        paid = await Payment.get(id=result)
    return _metered("pay", paid, replayed)


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

    paid: Payment | None = None

    async def work(writes: Writes) -> uuid.UUID:
        nonlocal paid
        code = await _claim_code(code_hash, request.patient.id, now)
        bill = await _existing_bill(request, lock=True) or await _insert_bill(request, now)
        paid = await _settle(
            member_id=request.patient.id,
            bill_id=bill.id,
            authorization_id=code.authorization_id,
            policies=policies,
            now=now,
            writes=writes,
        )
        writes.update(
            'UPDATE "payment_code" SET "used_at" = ?, "payment_id" = ? WHERE "id" = ?',
            [_when(PaymentCode, "used_at", now), str(paid.id), str(code.id)],
        )
        return paid.id

    async def once() -> tuple[str, bool]:
        return await idempotency.once_in_batch(
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
        paid = None
        result, replayed = await once()
    if replayed or paid is None:
        paid = await Payment.get(id=result)
    return _metered("pay", paid, replayed)


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

    made: Refund | None = None

    async def work(writes: Writes) -> uuid.UUID:
        nonlocal made
        locked = await settlement.lock_payment(payment_id)
        if locked is None or locked.payment.institution_id != institution_id:
            raise DomainError(ErrorCode.NOT_FOUND, "paymentId")
        payment, authorization = locked.payment, locked.authorization
        rules.check_refund(amount, payment.family_amount, payment.refunded)
        active = authorization.status is AuthorizationStatus.ACTIVE
        target = (
            (AccountKind.QUOTA, wallets.quota_owner(authorization.id))
            if active
            else (AccountKind.WALLET, wallets.member_owner(locked.authorizer_id))
        )
        seen = await settlement.refund_facts(payment, institution_owner(institution_id), target)
        made = Refund(
            id=uuid.uuid4(),
            payment_id=payment.id,
            amount=amount,
            to_wallet=not active,
            reason=reason.strip()[:255],
            created_at=now,
        )
        writes.insert(Refund, [{name: getattr(made, name) for name in _REFUND_FIELDS}])
        writes.update(
            'UPDATE "payment" SET "refunded" = "refunded" + ? WHERE "id" = ?',
            [amount, str(payment.id)],
        )
        regions = (seen.patient_region, seen.authorizer_region)
        writes.insert(UsageRecord, [records.refund_record(made, payment, seen.bill, regions, now)])
        # A refund of this month's payment gives this month's cap back too (the row is locked).
        same_month = wallet_rules.month_of(payment.created_at) == authorization.month_of
        month_back = max(0, (authorization.month_spent or 0) - amount)
        give_back = ', "month_spent" = ?' if same_month else ""
        writes.update(
            'UPDATE "authorization" SET "spent" = "spent" - ?, "updated_at" = ?'
            f'{give_back} WHERE "id" = ?',
            [
                amount,
                _when(Authorization, "updated_at", now),
                *([month_back] if same_month else []),
                str(authorization.id),
            ],
        )
        fully = payment.refunded + amount == payment.family_amount
        status = BillStatus.REFUNDED if fully else BillStatus.PARTIALLY_REFUNDED
        writes.update(
            'UPDATE "bill" SET "status" = ? WHERE "id" = ?', [status.value, str(payment.bill_id)]
        )
        paid_from = seen.institution_account or await ledger.account(
            AccountKind.INSTITUTION, institution_owner(institution_id), now=now
        )
        returned_to = seen.target_account or await ledger.account(*target, now=now)
        await ledger.post_in(
            writes,
            kind="refund",
            reference=made.id,
            movements=[(paid_from, -amount), (returned_to, amount)],
            now=now,
        )
        audit.record_in(
            writes,
            at=now,
            actor_kind="institution",
            actor_id=institution_id,
            action="payment.refund",
            subject_id=payment.id,
            reason=reason,
            detail={"amount": amount},
        )
        await notices.notify_in(
            writes, [_refund_notice(payment, authorization, seen.names, amount, active)], now=now
        )
        return made.id

    result, replayed = await idempotency.once_in_batch(
        scope=owner("institution", institution_id),
        key=idempotency_key,
        operation="refundPayment",
        request={"payment": str(payment_id), "amount": amount},
        work=work,
        now=now,
    )
    if replayed or made is None:
        made = await Refund.get(id=result)
    return _metered("refund", made, replayed)


_REFUND_FIELDS = ("id", "payment_id", "amount", "to_wallet", "reason", "created_at")


def _refund_notice(
    payment: Payment,
    authorization: Authorization,
    names: settlement.Names,
    amount: int,
    active: bool,
) -> Draft:
    """To the authorizer: where, for whom, how much came back, and to what."""
    fields: dict[str, object] = {
        "counterpart": names.patient,
        "institution": names.institution,
        "amount": amount,
        "payment_id": str(payment.id),
        "authorization_id": str(authorization.id),
    }
    if active:
        fields["remaining"] = authorization.quota - authorization.spent + amount
    else:
        fields["to_wallet"] = True
    return Draft(payment.authorizer_id, NoticeKind.AUTHORIZATION_REFUNDED, fields)


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
