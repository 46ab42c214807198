"""GET /export/usage-records.csv: the usageRecords filter as a CSV download (family accounting)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from gongji.api.context import Services, language_of
from gongji.api.loaders import Loaders
from gongji.clock import CHINA
from gongji.errors import DomainError, ErrorCode
from gongji.identity.principals import InstitutionPrincipal, MemberPrincipal
from gongji.identity.service import authenticate
from gongji.members.models import Member
from gongji.money import format_yuan
from gongji.records import rules, service
from gongji.records.rules import RecordFilter

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
    """The query string as the usageRecords filter, parsed where GraphQL's is."""
    params = request.query_params
    return rules.record_filter(
        insured_region=params.get("insuredRegion"),
        visit_type=params.get("visitType"),
        year=params.get("year"),
        role=params.get("role"),
        relative_id=params.get("relativeId"),
        authorization_id=params.get("authorizationId"),
        kind=params.get("kind"),
    )


def _refusal(error: DomainError, language: str, status: int) -> Response:
    """The same shape as a GraphQL top-level error's extensions, with its message."""
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
        status_code=status,
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
            place = institutions.get(r.institution_id) if r.institution_id else None
            region = r.patient_region or r.authorizer_region
            writer.writerow(
                [
                    r.occurred_at.astimezone(CHINA).isoformat(),  # with +08:00
                    r.kind.value,
                    f"{r.visit_type.value} {VISIT_NAMES[r.visit_type.value]}"
                    if r.visit_type
                    else "",
                    place.name if place else "",
                    services.policies.region_name(place.region) if place else "",
                    _name(members, r.patient_id),
                    _name(members, r.authorizer_id),
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


def usage_records_csv(services: Services) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        language = language_of(request.headers.get("accept-language"))
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        presented = scheme.lower() == "bearer" and bool(token.strip())
        who = await authenticate(token.strip(), now=services.clock.now()) if presented else None
        if isinstance(who, InstitutionPrincipal):
            viewer = service.Viewer(institution_id=who.institution_id)
        elif isinstance(who, MemberPrincipal) and who.member_id is not None:
            viewer = service.Viewer(member_id=who.member_id)
        elif isinstance(who, MemberPrincipal):
            return _refusal(DomainError(ErrorCode.IDENTITY_NOT_VERIFIED), language, 403)
        elif who is not None:
            return _refusal(DomainError(ErrorCode.FORBIDDEN), language, 403)
        else:
            code = ErrorCode.TOKEN_INVALID if presented else ErrorCode.UNAUTHENTICATED
            return _refusal(DomainError(code), language, 401)
        try:
            f = _filter(request)
            service.filtered(viewer, f)  # refuses a filter that cannot apply, before streaming
        except DomainError as error:
            return _refusal(error, language, 400)
        return StreamingResponse(
            _rows(viewer, f, services),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="usage-records.csv"'},
        )

    return endpoint
