"""usageRecords: a keyset connection over 医保使用记录, filtered as the seed documents name."""

from __future__ import annotations

import asyncio
import datetime
import uuid

import strawberry

from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.errors import UserError, attempt, parse_id
from gongji.api.members import Person, Region
from gongji.api.pagination import PageInfo, page_info
from gongji.api.payments import Institution, VisitTypeType
from gongji.api.scalars import Money
from gongji.errors import DomainError, ErrorCode
from gongji.identity.principals import InstitutionPrincipal, MemberPrincipal
from gongji.payments.rules import VisitType
from gongji.records import service
from gongji.records.models import RecordKind
from gongji.records.models import UsageRecord as Row
from gongji.records.rules import RecordFilter, RecordRole, encode_cursor

RecordKindType = strawberry.enum(RecordKind, name="RecordKind")
RecordRoleType = strawberry.enum(
    RecordRole,
    name="RecordRole",
    description="As the patient, or as the authorizer whose money paid.",
)


@strawberry.input(
    description="R19: insured region 参保地, visit type 就诊类型, year 年度, and more."
)
class UsageRecordFilter:
    insured_region: str | None = strawberry.field(
        default=None, description="GB/T 2260 code; a province code matches its cities."
    )
    visit_type: VisitTypeType | None = None  # type: ignore[valid-type]
    year: int | None = None
    role: RecordRoleType | None = None  # type: ignore[valid-type]
    relative_id: strawberry.ID | None = None
    authorization_id: strawberry.ID | None = None
    kind: RecordKindType | None = None  # type: ignore[valid-type]

    def to_domain(self) -> RecordFilter:
        return RecordFilter(
            insured_region=self.insured_region,
            visit_type=VisitType(self.visit_type) if self.visit_type else None,
            year=self.year,
            role=RecordRole(self.role) if self.role else None,
            relative_id=parse_id(self.relative_id, "filter.relativeId")
            if self.relative_id
            else None,
            authorization_id=(
                parse_id(self.authorization_id, "filter.authorizationId")
                if self.authorization_id
                else None
            ),
            kind=RecordKind(self.kind) if self.kind else None,
        )


@strawberry.type(description="One use of family money. Line items are never shown here.")
class UsageRecord:
    id: strawberry.ID
    occurred_at: datetime.datetime
    kind: RecordKindType  # type: ignore[valid-type]
    visit_type: VisitTypeType | None  # type: ignore[valid-type]
    institution: Institution | None
    patient: Person | None
    authorizer: Person | None
    insured_region: Region | None = strawberry.field(
        description="The patient's insured region at the time (the authorizer's for a transfer)."
    )
    total: Money = strawberry.field(description="医疗费总额 medfee_sumamt.")
    pooled_fund: Money = strawberry.field(description="统筹基金支付 hifp_pay.")
    family_paid: Money = strawberry.field(description="共济支付 acct_mulaid_pay; negative: refund.")
    cash: Money = strawberry.field(description="个人现金支付 psn_cash_pay.")
    amount: Money = strawberry.field(description="Money moved by this record, signed.")


@strawberry.type
class UsageRecordEdge:
    cursor: str
    node: UsageRecord


@strawberry.type
class VisitTypeSum:
    visit_type: VisitTypeType | None  # type: ignore[valid-type]
    count: int
    family_paid: Money
    cash: Money


@strawberry.type
class UsageSums:
    family_paid: Money
    cash: Money
    by_visit_type: list[VisitTypeSum]


@strawberry.type
class UsageRecordConnection:
    edges: list[UsageRecordEdge]
    page_info: PageInfo
    viewer: strawberry.Private[service.Viewer]
    filter: strawberry.Private[RecordFilter]
    totals_task: strawberry.Private[asyncio.Task[list[service.VisitTotals]] | None] = None

    def _totals(self) -> asyncio.Task[list[service.VisitTotals]]:
        """One grouped query, shared by totalCount and sums, run only if either is asked."""
        if self.totals_task is None:
            self.totals_task = asyncio.ensure_future(service.totals(self.viewer, self.filter))
        return self.totals_task

    @strawberry.field(description="Records matching the filter, on every page.")
    async def total_count(self) -> int:
        return sum(t.count for t in await self._totals())

    @strawberry.field(description="Sums for the filter, in all and by visit type.")
    async def sums(self) -> UsageSums:
        rows = await self._totals()
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


@strawberry.type
class UsageRecordsPayload:
    records: UsageRecordConnection | None
    errors: list[UserError]


async def _nodes(rows: list[Row], info: Info) -> list[UsageRecordEdge]:
    """Two batched queries for the people and institutions of a whole page, whatever its size."""
    members, institutions = await info.context.loaders.parties_of(rows)

    def person(member_id: uuid.UUID | None) -> Person | None:
        member = members.get(member_id) if member_id else None
        return Person.of(member, info) if member else None

    edges = []
    for r in rows:
        institution = institutions.get(r.institution_id) if r.institution_id else None  # type: ignore[attr-defined]
        region = r.patient_region or r.authorizer_region
        edges.append(
            UsageRecordEdge(
                cursor=encode_cursor(r.occurred_at, r.id),
                node=UsageRecord(
                    id=strawberry.ID(str(r.id)),
                    occurred_at=r.occurred_at,
                    kind=r.kind,
                    visit_type=r.visit_type,
                    institution=Institution.of(institution, info) if institution else None,
                    patient=person(r.patient_id),  # type: ignore[attr-defined]
                    authorizer=person(r.authorizer_id),  # type: ignore[attr-defined]
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
    edges = await _nodes(rows, info)
    return UsageRecordConnection(
        edges=edges,
        page_info=page_info([e.cursor for e in edges], has_next),
        viewer=viewer,
        filter=f,
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
        "money (never line items); an institution its own bills. Newest first."
    )
    async def usage_records(
        self,
        info: Info,
        filter: UsageRecordFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> UsageRecordsPayload:
        async def run() -> UsageRecordConnection:
            f = filter.to_domain() if filter else RecordFilter()
            return await connection(viewer_of(info), f, first, after, info)

        records, errors = await attempt(run, info.context.language)
        return UsageRecordsPayload(records=records, errors=errors)

    @strawberry.field(
        description="Service-hall staff read a member's records for an audit, with a reason; "
        "every access is audited."
    )
    async def audit_usage_records(
        self,
        info: Info,
        id_number: str,
        reason: str,
        filter: UsageRecordFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> UsageRecordsPayload:
        async def run() -> UsageRecordConnection:
            viewer = await service.audit_viewer(
                agent=permissions.agent(info),
                id_number=id_number,
                reason=reason,
                now=info.context.now(),
                detail={"after": after or "", "first": first},
            )
            f = filter.to_domain() if filter else RecordFilter()
            return await connection(viewer, f, first, after, info)

        records, errors = await attempt(run, info.context.language)
        return UsageRecordsPayload(records=records, errors=errors)
