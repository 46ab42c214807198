"""Usage records: written inside each money use case; read by keyset pages (R19)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from gongji import pagination, sql
from gongji.audit import service as audit
from gongji.errors import DomainError, ErrorCode
from gongji.identity.principals import AgentPrincipal
from gongji.identity.rules import check_agent_reason, check_agent_scope
from gongji.members import queries as members
from gongji.members.models import Member
from gongji.payments.models import Bill, Payment, PremiumPayment, Refund
from gongji.payments.rules import VisitType
from gongji.records import rules
from gongji.records.models import RecordKind, UsageRecord
from gongji.records.rules import RecordFilter, RecordRole
from gongji.regions.code import RegionCode
from gongji.wallets.models import WalletTransfer

# --- writers: call inside the use case's transaction -------------------------------------


def _bill_row(
    kind: RecordKind,
    payment: Payment,
    bill: Bill,
    regions: tuple[str, str],
    now: datetime,
    reference: object,
    *,
    family: int,
    amount: int,
    total: int = 0,
    fund: int = 0,
    cash: int = 0,
) -> dict[str, Any]:
    """A record of a bill's money, as a row for the use case's write batch (`sql.Writes`);
    `regions`: the patient's and the authorizer's insured regions at the time."""
    key = sql.new_key(UsageRecord)
    return {
        **({"id": key} if key is not None else {}),
        "occurred_at": now,
        "kind": kind,
        "visit_type": bill.visit_type,
        "institution_id": bill.institution_id,
        "patient_id": payment.patient_id,
        "authorizer_id": payment.authorizer_id,
        "authorization_id": payment.authorization_id,
        "patient_region": regions[0],
        "authorizer_region": regions[1],
        "reference": str(reference),
        "total": total,
        "fund": fund,
        "family": family,
        "cash": cash,
        "amount": amount,
    }


def payment_record(
    payment: Payment, bill: Bill, regions: tuple[str, str], now: datetime
) -> dict[str, Any]:
    return _bill_row(
        RecordKind.PAYMENT,
        payment,
        bill,
        regions,
        now,
        payment.id,
        total=bill.medfee_sumamt,
        fund=bill.hifp_pay,
        family=payment.family_amount,
        cash=payment.cash_amount,
        amount=payment.family_amount,
    )


def refund_record(
    refund: Refund, payment: Payment, bill: Bill, regions: tuple[str, str], now: datetime
) -> dict[str, Any]:
    return _bill_row(
        RecordKind.REFUND,
        payment,
        bill,
        regions,
        now,
        refund.id,
        family=-refund.amount,
        amount=-refund.amount,
    )


async def record_premium(
    premium: PremiumPayment, payer: Member, relative: Member, now: datetime
) -> None:
    await UsageRecord.create(
        occurred_at=now,
        kind=RecordKind.PREMIUM,
        patient=relative,
        authorizer=payer,
        patient_region=relative.insured_region,
        authorizer_region=payer.insured_region,
        family=premium.amount,
        amount=premium.amount,
        reference=str(premium.id),
    )


async def record_transfer(transfer: WalletTransfer, member: Member, now: datetime) -> None:
    await UsageRecord.create(
        occurred_at=now,
        kind=RecordKind.WALLET_TRANSFER,
        authorizer=member,
        authorizer_region=member.insured_region,
        amount=transfer.amount,
        reference=str(transfer.id),
    )


# --- readers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Whose records: a member (by role), or an institution (its own bills)."""

    member_id: uuid.UUID | None = None
    institution_id: uuid.UUID | None = None


def _side(me: uuid.UUID, role: RecordRole, f: RecordFilter) -> Q:
    mine, other = (
        ("patient_id", "authorizer_id")
        if role is RecordRole.AS_PATIENT
        else ("authorizer_id", "patient_id")
    )
    conditions: dict[str, object] = {mine: me}
    if f.relative_id:
        conditions[other] = f.relative_id
    return Q(**conditions)  # type: ignore[arg-type]  # Q types join_type as the only str kwarg


def _insured_in(region: RegionCode) -> Q:
    """The region each record shows: the patient's, or the authorizer's for a transfer."""
    prefix = region.prefix
    own = Q(patient_region__startswith=prefix)
    return own | Q(patient_region__isnull=True, authorizer_region__startswith=prefix)


def filtered(viewer: Viewer, f: RecordFilter) -> QuerySet[UsageRecord]:
    """Records the viewer may see that match the filter; refuses a filter that cannot apply."""
    rules.check_applicable(f, institution=viewer.institution_id is not None)
    if viewer.institution_id is not None:
        scope = Q(institution_id=viewer.institution_id)
    else:
        assert viewer.member_id is not None
        roles = [f.role] if f.role else [RecordRole.AS_PATIENT, RecordRole.AS_AUTHORIZER]
        scope = Q(*(_side(viewer.member_id, r, f) for r in roles), join_type=Q.OR)
    if f.insured_region:
        scope &= _insured_in(f.insured_region)
    query = UsageRecord.filter(scope)
    if f.visit_type:
        query = query.filter(visit_type=f.visit_type)
    if f.kind:
        query = query.filter(kind=f.kind)
    if f.authorization_id:
        query = query.filter(authorization_id=f.authorization_id)
    if f.year is not None:
        start, end = rules.year_range(f.year)
        query = query.filter(occurred_at__gte=start, occurred_at__lt=end)
    return query


async def page(
    viewer: Viewer, f: RecordFilter, first: int | None, after: str | None
) -> tuple[list[UsageRecord], bool]:
    """Newest first, keyset on (occurred_at, id): no OFFSET, stable under new inserts."""
    result = await pagination.page(filtered(viewer, f), first, after, rules.RECORDS)
    return result.rows, result.has_next


@dataclass(frozen=True)
class VisitTotals:
    visit_type: VisitType | None
    count: int
    family: int
    cash: int


async def totals(viewer: Viewer, f: RecordFilter) -> list[VisitTotals]:
    """Count and sums for the filter, by visit type, in one grouped query."""
    rows = (
        await filtered(viewer, f)
        .annotate(n=Count("id"), family_sum=Sum("family"), cash_sum=Sum("cash"))
        .group_by("visit_type")
        .values("visit_type", "n", "family_sum", "cash_sum")
    )
    return [
        VisitTotals(
            visit_type=VisitType(r["visit_type"]) if r["visit_type"] else None,
            count=int(r["n"]),
            family=int(r["family_sum"] or 0),
            cash=int(r["cash_sum"] or 0),
        )
        for r in rows
    ]


def batches(viewer: Viewer, f: RecordFilter, size: int = 1000) -> AsyncIterator[list[UsageRecord]]:
    """Every record of the filter, newest first, in keyset batches (for CSV export)."""
    return pagination.batches(filtered(viewer, f), rules.RECORDS, size)


async def audit_viewer(
    *, agent: AgentPrincipal, id_number: str, reason: str, now: datetime, detail: dict[str, object]
) -> Viewer:
    """An agent reads a member's records for an audit: a reason is required and recorded,
    and the member must be insured within the agent's scope."""
    reason = check_agent_reason(reason)
    member = await members.find(id_number)
    if member is None:
        raise DomainError(ErrorCode.MEMBER_NOT_FOUND, "idNumber")
    check_agent_scope(agent.office_region, agent.scope, (member.insured_region,))
    await audit.record(
        at=now,
        actor_kind="agent",
        actor_id=agent.agent_id,
        action="records.audit_read",
        subject_id=member.id,
        reason=reason,
        detail=detail,
    )
    return Viewer(member_id=member.id)
