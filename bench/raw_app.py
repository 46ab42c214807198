"""The raw path for the benchmark: the same auth, domain calls and SQL as GraphQL, no GraphQL.

DATABASE_URL=… .venv/bin/uvicorn --factory bench.raw_app:create --port 8102
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gongji import db
from gongji.api.context import Services
from gongji.app import build_services
from gongji.clock import china_date
from gongji.errors import DomainError
from gongji.identity.principals import MemberPrincipal
from gongji.identity.service import authenticate
from gongji.institutions.models import Institution
from gongji.members.models import Member
from gongji.members.rules import age_on, mask_id_number
from gongji.money import format_yuan
from gongji.payments import service as payments
from gongji.records import service as records
from gongji.records.rules import RecordFilter, encode_cursor, record_filter
from gongji.settings import Settings


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def _filter(raw: dict[str, Any]) -> RecordFilter:
    return record_filter(
        insured_region=raw.get("insuredRegion"),
        visit_type=raw.get("visitType"),
        year=raw.get("year"),
        role=raw.get("role"),
        relative_id=raw.get("relativeId"),
        authorization_id=raw.get("authorizationId"),
        kind=raw.get("kind"),
    )


def create(services: Services | None = None) -> Starlette:
    settings = services.settings if services else Settings.from_env()
    services = services or build_services(settings)

    async def member(request: Request) -> MemberPrincipal | None:
        _, _, token = request.headers.get("authorization", "").partition(" ")
        who = await authenticate(token.strip(), now=services.clock.now())
        return who if isinstance(who, MemberPrincipal) and who.member_id else None

    async def usage_records(request: Request) -> Response:
        who = await member(request)
        if who is None:
            return _json({"errors": [{"code": "UNAUTHENTICATED"}]}, 401)
        body = orjson.loads(await request.body())
        assert who.member_id is not None
        try:
            rows, has_next = await records.page(
                records.Viewer(member_id=who.member_id),
                _filter(body.get("filter") or {}),
                body.get("first"),
                body.get("after"),
            )
        except DomainError as error:
            return _json({"errors": [{"code": error.code.value}]})
        member_ids = {i for r in rows for i in (r.patient_id, r.authorizer_id) if i}  # type: ignore[attr-defined]
        institution_ids = {r.institution_id for r in rows if r.institution_id}  # type: ignore[attr-defined]
        members = {m.id: m for m in await Member.filter(id__in=list(member_ids))}
        places = {i.id: i for i in await Institution.filter(id__in=list(institution_ids))}
        today = china_date(services.clock.now())

        def person(member_id: uuid.UUID | None) -> dict[str, Any] | None:
            m = members.get(member_id) if member_id else None
            if m is None:
                return None
            return {
                "id": str(m.id),
                "name": m.name,
                "idNumber": mask_id_number(m.id_number),
                "age": age_on(m.id_number, today),
            }

        edges = []
        for r in rows:
            place = places.get(r.institution_id) if r.institution_id else None  # type: ignore[attr-defined]
            edges.append(
                {
                    "cursor": encode_cursor(r.occurred_at, r.id),
                    "node": {
                        "id": str(r.id),
                        "occurredAt": r.occurred_at.isoformat(),
                        "kind": r.kind.name,
                        "visitType": r.visit_type.name if r.visit_type else None,
                        "familyPaid": format_yuan(r.family),
                        "cash": format_yuan(r.cash),
                        "total": format_yuan(r.total),
                        "institution": {
                            "name": place.name,
                            "region": {"name": services.policies.region_name(place.region)},
                        }
                        if place
                        else None,
                        "patient": person(r.patient_id),  # type: ignore[attr-defined]
                        "authorizer": person(r.authorizer_id),  # type: ignore[attr-defined]
                    },
                }
            )
        return _json(
            {
                "edges": edges,
                "pageInfo": {
                    "hasNextPage": has_next,
                    "endCursor": edges[-1]["cursor"] if edges else None,
                },
            }
        )

    async def pay(request: Request) -> Response:
        who = await member(request)
        if who is None:
            return _json({"errors": [{"code": "UNAUTHENTICATED"}]}, 401)
        body = orjson.loads(await request.body())
        assert who.member_id is not None
        try:
            payment, replayed = await payments.pay(
                member_id=who.member_id,
                bill_id=uuid.UUID(body["billId"]),
                authorization_id=uuid.UUID(body["authorizationId"]),
                idempotency_key=body["idempotencyKey"],
                policies=services.policies,
                now=services.clock.now(),
            )
        except DomainError as error:
            return _json({"payment": None, "errors": [{"code": error.code.value}]})
        return _json(
            {
                "payment": {
                    "acctMulaidPay": format_yuan(payment.family_amount),
                    "psnCashPay": format_yuan(payment.cash_amount),
                },
                "replayed": replayed,
                "errors": [],
            }
        )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await db.connect(settings.database_url)
        yield
        await db.disconnect()

    return Starlette(
        routes=[
            Route("/raw/usage-records", usage_records, methods=["POST"]),
            Route("/raw/pay", pay, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
