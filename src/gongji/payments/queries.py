"""Read side of bills and payments: who may see a bill, pages of bills, a page's details."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from tortoise.queryset import QuerySet

from gongji import pagination
from gongji.clock import china_date
from gongji.errors import DomainError, ErrorCode
from gongji.families import rules as family_rules
from gongji.families.models import Membership
from gongji.identity.principals import InstitutionPrincipal, MemberPrincipal, Principal
from gongji.institutions.models import Institution
from gongji.pagination import Keyset, Page
from gongji.payments import rules
from gongji.payments.models import Bill, BillItem, BillStatus, Payment, Refund
from gongji.payments.rules import BillFigures, ItemCategory, LineItem
from gongji.regions.policy import PolicyBook
from gongji.wallets import rules as wallet_rules
from gongji.wallets.models import Authorization, AuthorizationStatus

BILLS = Keyset(time_field="created_at")
"""Bills page on (created_at, id), newest first; indexed per institution and per patient."""


def bill_visible_to(bill: Bill, who: Principal | None) -> bool:
    """A bill, and its settlement, belong to its patient and its billing institution only."""
    if isinstance(who, MemberPrincipal):
        return who.member_id is not None and bill.patient_id == who.member_id
    if isinstance(who, InstitutionPrincipal):
        return bool(bill.institution_id == who.institution_id)
    return False


async def visible_bill(bill_id: uuid.UUID, who: Principal | None) -> Bill | None:
    bill = await Bill.get_or_none(id=bill_id)
    return bill if bill is not None and bill_visible_to(bill, who) else None


async def institution_bill(
    institution_id: uuid.UUID, *, bill_id: uuid.UUID | None, external_ref: str | None
) -> Bill | None:
    """The institution's own bill, by our id or by its settlement number."""
    if bill_id is not None:
        return await Bill.get_or_none(id=bill_id, institution_id=institution_id)
    if external_ref is not None:
        return await Bill.get_or_none(
            institution_id=institution_id, external_ref=external_ref.strip()
        )
    return None


@dataclass(frozen=True)
class BillFilter:
    status: BillStatus | None = None
    start: datetime | None = None  # created at or after
    end: datetime | None = None  # created before
    external_ref: str | None = None


@dataclass(frozen=True)
class BillPage:
    """One page of bills, and the query behind it for a total count asked separately."""

    page: Page[Bill]
    query: QuerySet[Bill]

    async def total(self) -> int:
        return await self.query.count()


async def _paged(query: QuerySet[Bill], first: int | None, after: str | None) -> BillPage:
    return BillPage(await pagination.page(query, first, after, BILLS), query)


async def institution_bills(
    institution_id: uuid.UUID, f: BillFilter, first: int | None, after: str | None
) -> BillPage:
    """The institution's own bills, newest first, on the (institution, created_at, id) index."""
    query = Bill.filter(institution_id=institution_id)
    if f.status is not None:
        query = query.filter(status=f.status)
    if f.start is not None:
        query = query.filter(created_at__gte=f.start)
    if f.end is not None:
        query = query.filter(created_at__lt=f.end)
    if f.external_ref:
        query = query.filter(external_ref=f.external_ref.strip())
    return await _paged(query, first, after)


async def patient_bills(member_id: uuid.UUID, first: int | None, after: str | None) -> BillPage:
    return await _paged(Bill.filter(patient_id=member_id), first, after)


async def ever_billed(institution_id: uuid.UUID, patient_id: uuid.UUID) -> bool:
    return await Bill.exists(institution_id=institution_id, patient_id=patient_id)


async def family_money_uses(
    institution_id: uuid.UUID,
    patient_id: uuid.UUID,
    start: datetime | None,
    end: datetime | None,
    first: int | None,
    after: str | None,
) -> BillPage:
    """R27: the patient's bills at this institution paid with family money in the period."""
    query = Bill.filter(
        institution_id=institution_id, patient_id=patient_id, payment__id__isnull=False
    )
    if start is not None:
        query = query.filter(payment__created_at__gte=start)
    if end is not None:
        query = query.filter(payment__created_at__lt=end)
    return await _paged(query, first, after)


@dataclass(frozen=True)
class BillDetails:
    """A bill with its lines and, once paid, its settlement."""

    bill: Bill
    items: list[BillItem]
    payment: Payment | None
    refunds: list[Refund]


async def details(bills: list[Bill]) -> list[BillDetails]:
    """Lines, payments and refunds of a whole page: three queries, whatever its size."""
    ids = [b.id for b in bills]
    items: dict[uuid.UUID, list[BillItem]] = defaultdict(list)
    for item in await BillItem.filter(bill_id__in=ids).order_by("position"):
        items[item.bill_id].append(item)
    payments = {p.bill_id: p for p in await Payment.filter(bill_id__in=ids)}
    refunds: dict[uuid.UUID, list[Refund]] = defaultdict(list)
    payment_ids = [p.id for p in payments.values()]
    for refund in await Refund.filter(payment_id__in=payment_ids).order_by("created_at", "id"):
        refunds[refund.payment_id].append(refund)
    return [
        BillDetails(
            bill=b,
            items=items[b.id],
            payment=payments.get(b.id),
            refunds=refunds[payments[b.id].id] if b.id in payments else [],
        )
        for b in bills
    ]


@dataclass(frozen=True)
class PaymentPreview:
    """What `pay` would do now with this bill and authorization, computed without paying."""

    bill: Bill
    authorization: Authorization
    cover: rules.Coverage
    excluded_lines: tuple[LineItem, ...]
    remaining_quota: int  # before paying
    family: int  # acct_mulaid_pay
    cash: int  # psn_cash_pay


async def _figures(bill: Bill) -> BillFigures:
    items = await BillItem.filter(bill_id=bill.id).order_by("position")
    return BillFigures(
        visit_type=bill.visit_type,
        items=tuple(LineItem(i.name, i.category, i.amount) for i in items),
        medfee_sumamt=bill.medfee_sumamt,
        hifp_pay=bill.hifp_pay,
        fulamt_ownpay_amt=bill.fulamt_ownpay_amt,
    )


def _excluded(figures: BillFigures, excluded_categories: tuple[str, ...]) -> tuple[LineItem, ...]:
    """The lines `rules.coverage` leaves to cash, with their categories (the why, R15)."""
    return tuple(
        i
        for i in figures.items
        if i.category is ItemCategory.SELF_PAY or i.category.name in excluded_categories
    )


async def payment_preview(
    *,
    member_id: uuid.UUID,
    bill_id: uuid.UUID,
    authorization_id: uuid.UUID,
    policies: PolicyBook,
    now: datetime,
) -> PaymentPreview:
    """The split `pay` would make, read-only: the same checks and rule functions, in the same
    order, so a refusal here is the refusal `pay` would give (R13–R18). Nothing is locked: a
    payment racing the preview can still change the answer; `pay` decides."""
    bill = await Bill.get_or_none(id=bill_id)
    if bill is None:
        raise DomainError(ErrorCode.NOT_FOUND, "billId")
    if bill.patient_id != member_id:
        raise DomainError(ErrorCode.NOT_BILL_PATIENT, "billId")
    if bill.status is not BillStatus.OPEN:
        raise DomainError(ErrorCode.BILL_ALREADY_PAID, "billId")
    authorization = await Authorization.get_or_none(id=authorization_id).select_related(
        "authorizer", "relative", "group"
    )
    if authorization is None:
        raise DomainError(ErrorCode.NOT_FOUND, "authorizationId")
    if authorization.relative.id != member_id:
        raise DomainError(ErrorCode.AUTHORIZATION_NOT_FOR_PATIENT, "authorizationId")
    if authorization.status is not AuthorizationStatus.ACTIVE:
        raise DomainError(ErrorCode.AUTHORIZATION_NOT_ACTIVE, "authorizationId")
    authorizer, patient = authorization.authorizer, authorization.relative
    both = await Membership.filter(
        group_id=authorization.group.id,
        member_id__in=[authorizer.id, patient.id],
        active=True,
        group__active=True,
    ).count()
    if both != 2:  # R9: the relationship behind the authorization must still stand
        raise DomainError(ErrorCode.AUTHORIZATION_NOT_ACTIVE, "authorizationId")
    wallet_rules.check_can_share(authorizer.insurance_type, authorizer.status)
    family_rules.check_invitee_insured(patient.status)
    institution = await Institution.get(id=bill.institution_id)
    policy = policies.policy_for(authorizer.insured_region, china_date(now))
    rules.check_scope(policy, institution.region)
    rules.check_visit_type(bill.visit_type, policy)
    figures = await _figures(bill)
    cover = rules.coverage(figures, policy.excluded_categories)
    remaining = authorization.quota - authorization.spent
    family, cash = rules.split(cover, remaining)
    return PaymentPreview(
        bill=bill,
        authorization=authorization,
        cover=cover,
        excluded_lines=_excluded(figures, policy.excluded_categories),
        remaining_quota=remaining,
        family=family,
        cash=cash,
    )
