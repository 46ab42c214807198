"""usageRecords: a keyset connection over 医保使用记录, filtered as the seed documents name."""

from __future__ import annotations

import asyncio
import datetime
import uuid

import strawberry

from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.enums import described
from gongji.api.members import Person, Region
from gongji.api.pagination import Connection, Edge, page_info
from gongji.api.payments import Institution
from gongji.api.scalars import Money
from gongji.errors import DomainError, ErrorCode
from gongji.identity.principals import InstitutionPrincipal, MemberPrincipal
from gongji.pagination import page_size
from gongji.payments.rules import VisitType
from gongji.records import rules, service
from gongji.records.models import RecordKind
from gongji.records.models import UsageRecord as Row
from gongji.records.rules import RecordFilter, RecordRole, encode_cursor

described(
    RecordKind,
    name="RecordKind",
    description="What moved the money.",
    values={
        "PAYMENT": "A bill paid with family money (R14).",
        "REFUND": "An institution gave family money back; amounts are negative.",
        "PREMIUM": "A relative's resident-insurance premium paid from the wallet (R16).",
        "WALLET_TRANSFER": "Personal account → wallet (R10); the authorizer's own record.",
    },
)
described(
    RecordRole,
    name="RecordRole",
    description="As the patient, or as the authorizer whose money paid.",
    values={
        "AS_PATIENT": "Records where the caller was the patient.",
        "AS_AUTHORIZER": "Records where the caller's money paid (and their own transfers).",
    },
)


@strawberry.input(
    description="R19: insured region 参保地, visit type 就诊类型, year 年度, and more. "
    "Every field narrows; omitted fields do not."
)
class UsageRecordFilter:
    insured_region: str | None = strawberry.field(
        default=None,
        description="GB/T 2260 code of the patient's insured region (the authorizer's for a "
        "transfer), whatever the caller's role; a province code matches its cities.",
    )
    visit_type: VisitType | None = strawberry.field(
        default=None, description="Only this visit type."
    )
    year: int | None = strawberry.field(
        default=None, description="Calendar year in China time, 2000–2100."
    )
    role: RecordRole | None = strawberry.field(
        default=None,
        description="Members only: as patient or as authorizer (default both). An institution "
        "sending it gets FILTER_NOT_APPLICABLE.",
    )
    relative_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Members only: records with this person on the other side. An institution "
        "sending it gets FILTER_NOT_APPLICABLE.",
    )
    authorization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only money of this authorization."
    )
    kind: RecordKind | None = strawberry.field(
        default=None, description="Only this kind of record."
    )

    def to_domain(self) -> RecordFilter:
        return rules.record_filter(
            insured_region=self.insured_region,
            visit_type=self.visit_type,
            year=self.year,
            role=self.role,
            relative_id=self.relative_id,
            authorization_id=self.authorization_id,
            kind=self.kind,
        )


@strawberry.type(description="One use of family money. Line items are never shown here.")
class UsageRecord:
    id: strawberry.ID = strawberry.field(description="The record's id.")
    occurred_at: datetime.datetime = strawberry.field(description="When the money moved.")
    kind: RecordKind = strawberry.field(
        description="Payment, refund, premium or transfer."
    )
    visit_type: VisitType | None = strawberry.field(
        description="For payments and refunds: the bill's visit type."
    )
    institution: Institution | None = strawberry.field(
        description="For payments and refunds: the billing institution."
    )
    patient: Person | None = strawberry.field(
        description="Whose care it paid (the relative for a premium); null for a transfer."
    )
    authorizer: Person | None = strawberry.field(description="Whose money it was.")
    insured_region: Region | None = strawberry.field(
        description="The patient's insured region at the time (the authorizer's for a transfer)."
    )
    total: Money = strawberry.field(description="医疗费总额 medfee_sumamt.")
    pooled_fund: Money = strawberry.field(description="统筹基金支付 hifp_pay.")
    family_paid: Money = strawberry.field(description="共济支付 acct_mulaid_pay; negative: refund.")
    cash: Money = strawberry.field(description="个人现金支付 psn_cash_pay.")
    amount: Money = strawberry.field(description="Money moved by this record, signed.")


@strawberry.type(description="Count and sums of one visit type, over every page of the filter.")
class VisitTypeSum:
    visit_type: VisitType | None = strawberry.field(
        description="The visit type; null for premiums and transfers."
    )
    count: int = strawberry.field(description="How many records.")
    family_paid: Money = strawberry.field(description="Family money, refunds netted.")
    cash: Money = strawberry.field(description="Paid in cash by the patients.")


@strawberry.type(description="Sums over every page of the filter.")
class UsageSums:
    family_paid: Money = strawberry.field(description="Family money, refunds netted.")
    cash: Money = strawberry.field(description="Paid in cash by the patients.")
    by_visit_type: list[VisitTypeSum] = strawberry.field(description="The same, by visit type.")


class _Totals:
    """One grouped query, shared by totalCount and sums, run only if either is asked."""

    def __init__(self, viewer: service.Viewer, f: RecordFilter) -> None:
        self.viewer, self.filter = viewer, f
        self.task: asyncio.Task[list[service.VisitTotals]] | None = None

    def rows(self) -> asyncio.Task[list[service.VisitTotals]]:
        if self.task is None:
            self.task = asyncio.ensure_future(service.totals(self.viewer, self.filter))
        return self.task

    async def count(self) -> int:
        return sum(t.count for t in await self.rows())


@strawberry.type(
    name="UsageRecordConnection",
    description="A page of usage records, newest first (Relay connection), with sums.",
)
class UsageRecordConnection(Connection[UsageRecord]):
    totals: strawberry.Private[_Totals]

    @strawberry.field(description="Sums for the filter, in all and by visit type.")
    async def sums(self) -> UsageSums:
        rows = await self.totals.rows()
        return UsageSums(
            family_paid=Money(sum(t.family for t in rows)),
            cash=Money(sum(t.cash for t in rows)),
            by_visit_type=[
                VisitTypeSum(
                    visit_type=t.visit_type,
                    count=t.count,
                    family_paid=Money(t.family),
                    cash=Money(t.cash),
                )
                for t in rows
            ],
        )


async def _edges(rows: list[Row], info: Info) -> list[Edge[UsageRecord]]:
    """Two batched queries for the people and institutions of a whole page, whatever its size."""
    members, institutions = await info.context.loaders.parties_of(rows)

    def person(member_id: uuid.UUID | None) -> Person | None:
        member = members.get(member_id) if member_id else None
        return Person.of(member, info) if member else None

    edges = []
    for r in rows:
        institution = institutions.get(r.institution_id) if r.institution_id else None
        region = r.patient_region or r.authorizer_region
        edges.append(
            Edge(
                cursor=encode_cursor(r.occurred_at, r.id),
                node=UsageRecord(
                    id=strawberry.ID(str(r.id)),
                    occurred_at=r.occurred_at,
                    kind=r.kind,
                    visit_type=r.visit_type,
                    institution=Institution.of(institution, info) if institution else None,
                    patient=person(r.patient_id),
                    authorizer=person(r.authorizer_id),
                    insured_region=Region.of(region, info) if region else None,
                    total=Money(r.total),
                    pooled_fund=Money(r.fund),
                    family_paid=Money(r.family),
                    cash=Money(r.cash),
                    amount=Money(r.amount),
                ),
            )
        )
    return edges


async def connection(
    viewer: service.Viewer, f: RecordFilter, first: int | None, after: str | None, info: Info
) -> UsageRecordConnection:
    rows, has_next = await service.page(viewer, f, first, after)
    edges = await _edges(rows, info)
    totals = _Totals(viewer, f)
    return UsageRecordConnection(
        edges=edges,
        page_info=page_info([e.cursor for e in edges], has_next),
        count=totals.count,
        totals=totals,
    )


def viewer_of(info: Info) -> service.Viewer:
    who = permissions.principal(info)
    if isinstance(who, InstitutionPrincipal):
        return service.Viewer(institution_id=who.institution_id)
    if isinstance(who, MemberPrincipal) and who.member_id is not None:
        return service.Viewer(member_id=who.member_id)
    if isinstance(who, MemberPrincipal):
        raise DomainError(ErrorCode.IDENTITY_NOT_VERIFIED)
    raise DomainError(ErrorCode.FORBIDDEN)


@strawberry.type
class RecordQuery:
    @strawberry.field(
        description="医保使用记录: a patient sees their own; an authorizer every use of their "
        "money (never line items); an institution its own bills. Newest first. A refusal "
        "(bad filter, unverified caller) is a top-level error with `extensions.code`."
    )
    async def usage_records(
        self,
        info: Info,
        filter: UsageRecordFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> UsageRecordConnection | None:
        f = filter.to_domain() if filter else RecordFilter()
        return await connection(viewer_of(info), f, first, after, info)

    @strawberry.field(
        description="Service-hall staff read a member's records for an audit, with a reason; "
        "every access is audited. A refusal is a top-level error with `extensions.code`."
    )
    async def audit_usage_records(
        self,
        info: Info,
        id_number: str,
        reason: str,
        filter: UsageRecordFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> UsageRecordConnection | None:
        f = filter.to_domain() if filter else RecordFilter()
        page_size(first)  # refuse a bad page before the read is audited
        viewer = await service.audit_viewer(
            agent=permissions.agent(info),
            id_number=id_number,
            reason=reason,
            now=info.context.now(),
            detail={"after": after or "", "first": first},
        )
        return await connection(viewer, f, first, after, info)
