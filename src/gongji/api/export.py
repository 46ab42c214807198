"""GET /export/usage-records.csv: the usageRecords filter as a CSV download (family accounting)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from gongji.api.context import Services, language_of
from gongji.api.errors import parse_id
from gongji.api.loaders import Loaders
from gongji.clock import CHINA
from gongji.errors import DomainError, ErrorCode
from gongji.identity.principals import InstitutionPrincipal, MemberPrincipal
from gongji.identity.service import authenticate
from gongji.members.models import Member
from gongji.money import format_yuan
from gongji.payments.rules import VisitType
from gongji.records import service
from gongji.records.models import RecordKind
from gongji.records.rules import RecordFilter, RecordRole

HEADER = [
    "时间 time",
    "类型 kind",
    "就诊类型 visit type",
    "机构 institution",
    "机构地区 institution region",
    "就诊人 patient",
    "授权人 authorizer",
    "参保地 insured region",
    "医疗费总额 total",
    "统筹支付 pooled fund",
    "共济支付 family paid",
    "现金支付 cash",
    "金额 amount",
]
VISIT_NAMES = {"11": "普通门诊", "14": "门诊慢特病", "21": "普通住院", "41": "定点药店购药"}


def _filter(request: Request) -> RecordFilter:
    params = request.query_params

    def enum_param(
        name: str, kind: type[VisitType] | type[RecordRole] | type[RecordKind]
    ) -> object:
        raw = params.get(name)
        if not raw:
            return None
        for member in kind:
            if raw in (member.name, member.value):
                return member
        raise DomainError(ErrorCode.INVALID_INPUT, f"filter.{name}", {"reason": raw})

    def id_param(name: str) -> uuid.UUID | None:
        raw = params.get(name)
        return parse_id(raw, f"filter.{name}") if raw else None

    year = params.get("year")
    if year is not None and not (year.isascii() and year.isdigit()):
        raise DomainError(ErrorCode.INVALID_INPUT, "filter.year", {"reason": year})
    return RecordFilter(
        insured_region=params.get("insuredRegion") or None,
        visit_type=enum_param("visitType", VisitType),  # type: ignore[arg-type]
        year=int(year) if year else None,
        role=enum_param("role", RecordRole),  # type: ignore[arg-type]
        relative_id=id_param("relativeId"),
        authorization_id=id_param("authorizationId"),
        kind=enum_param("kind", RecordKind),  # type: ignore[arg-type]
    )


async def _rows(viewer: service.Viewer, f: RecordFilter, services: Services) -> AsyncIterator[str]:
    yield "\ufeff"  # UTF-8 BOM, so Excel reads the Chinese text
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    loaders = Loaders()
    async for batch in service.batches(viewer, f):
        members, institutions = await loaders.parties_of(batch)
        for r in batch:
            place = institutions.get(r.institution_id)  # type: ignore[attr-defined]
            region = r.patient_region or r.authorizer_region
            writer.writerow(
                [
                    r.occurred_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
                    r.kind.value,
                    f"{r.visit_type.value} {VISIT_NAMES[r.visit_type.value]}"
                    if r.visit_type
                    else "",
                    place.name if place else "",
                    services.policies.region_name(place.region) if place else "",
                    _name(members, r.patient_id),  # type: ignore[attr-defined]
                    _name(members, r.authorizer_id),  # type: ignore[attr-defined]
                    services.policies.region_name(region) if region else "",
                    format_yuan(r.total),
                    format_yuan(r.fund),
                    format_yuan(r.family),
                    format_yuan(r.cash),
                    format_yuan(r.amount),
                ]
            )
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _name(members: dict[uuid.UUID, Member], member_id: uuid.UUID | None) -> str:
    member = members.get(member_id) if member_id else None
    return member.name if member else ""


def usage_records_csv(services: Services):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        language = language_of(request.headers.get("accept-language"))
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        who = None
        if scheme.lower() == "bearer" and token.strip():
            who = await authenticate(token.strip(), now=services.clock.now())
        if isinstance(who, InstitutionPrincipal):
            viewer = service.Viewer(institution_id=who.institution_id)
        elif isinstance(who, MemberPrincipal) and who.member_id is not None:
            viewer = service.Viewer(member_id=who.member_id)
        else:
            return JSONResponse(
                {"errors": [{"code": "UNAUTHENTICATED", "message": "Bearer token required"}]},
                status_code=401,
            )
        try:
            f = _filter(request)
            if f.year is not None or f.insured_region:
                service.filtered(viewer, f)  # validates the region code and year up front
        except DomainError as error:
            return JSONResponse(
                {
                    "errors": [
                        {
                            "code": error.code.value,
                            "field": error.field,
                            "message": error.message(language),
                            "rule": error.rule,
                        }
                    ]
                },
                status_code=400,
            )
        return StreamingResponse(
            _rows(viewer, f, services),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="usage-records.csv"'},
        )

    return endpoint
