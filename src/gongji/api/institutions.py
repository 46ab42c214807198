"""An institution manages its own API keys over GraphQL: list, issue, revoke (rotation)."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from gongji.api import permissions
from gongji.api.context import Info
from gongji.api.errors import UserError, attempt, parse_id
from gongji.api.payments import describe_values
from gongji.api.throttling import throttled
from gongji.institutions import queries, rules, service
from gongji.institutions.models import ApiKey as ApiKeyRow
from gongji.institutions.rules import ApiKeyStatus
from gongji.throttle.policy import Operation

strawberry.enum(
    ApiKeyStatus, name="ApiKeyStatus", description="Whether a key still authenticates."
)
describe_values(
    ApiKeyStatus,
    {
        ApiKeyStatus.ACTIVE: "Works: send it as Authorization: Bearer <key>.",
        ApiKeyStatus.EXPIRED: "Past its expiry: refused like a wrong key.",
        ApiKeyStatus.REVOKED: "Revoked: refused like a wrong key.",
    },
)


@strawberry.type(description="One of your API keys. The secret itself is never shown again.")
class ApiKey:
    id: strawberry.ID = strawberry.field(description="Pass it to revokeApiKey.")
    label: str = strawberry.field(description="Which system or person holds the key.")
    prefix: str = strawberry.field(description="The key's first characters, to recognise it.")
    status: ApiKeyStatus = strawberry.field(description="Active, expired or revoked.")
    created_at: datetime.datetime = strawberry.field(description="When it was issued.")
    last_used_at: datetime.datetime | None = strawberry.field(
        description="Its last request, to the minute; null if never used."
    )
    expires_at: datetime.datetime | None = strawberry.field(
        description="When it stops working; null: until revoked."
    )
    revoked_at: datetime.datetime | None = strawberry.field(description="When it was revoked.")
    current: bool = strawberry.field(description="The key this request was sent with.")

    @classmethod
    def of(cls, row: ApiKeyRow, info: Info) -> ApiKey:
        who = permissions.institution(info)
        return cls(
            id=strawberry.ID(str(row.id)),
            label=row.label,
            prefix=row.prefix,
            status=rules.key_status(row.revoked_at, row.expires_at, info.context.now()),
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            current=row.id == who.api_key_id,
        )


@strawberry.type(description="The result of issueApiKey.")
class IssueApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(description="The new key; null when refused.")
    secret: str | None = strawberry.field(
        description="The key itself, shown only now: store it; only its hash is kept."
    )
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty if not.")


@strawberry.type(description="The result of revokeApiKey.")
class RevokeApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(description="The revoked key; null when refused.")
    errors: list[UserError] = strawberry.field(description="Why it was refused; empty if not.")


@strawberry.type
class InstitutionQuery:
    @strawberry.field(
        description="The calling institution's API keys, newest first, revoked and expired "
        "ones included (API key only). Never the secrets."
    )
    async def my_api_keys(self, info: Info) -> list[ApiKey]:
        async def run() -> list[ApiKey]:
            who = permissions.institution(info)
            return [ApiKey.of(k, info) for k in await queries.api_keys(who.institution_id)]

        return await run()


@strawberry.type
class InstitutionMutation:
    @strawberry.mutation(
        description="Issue another API key for the calling institution, e.g. to rotate: issue, "
        f"switch your systems over, then revoke the old one. At most {rules.MAX_ACTIVE_KEYS} "
        "active keys."
    )
    async def issue_api_key(
        self,
        info: Info,
        label: Annotated[
            str, strawberry.argument(description="Which system holds it, 1–64 characters.")
        ],
        expires_in_days: Annotated[
            int | None,
            strawberry.argument(
                description=f"It stops working after 1–{rules.MAX_EXPIRY_DAYS} days; "
                "null: until revoked."
            ),
        ] = None,
    ) -> IssueApiKeyPayload:
        async def run() -> tuple[ApiKeyRow, str]:
            who = permissions.institution(info)
            return await service.issue_key(
                institution_id=who.institution_id,
                label=label,
                expires_in_days=expires_in_days,
                actor=("institution", who.institution_id),
                now=info.context.now(),
            )

        result, errors = await attempt(
            throttled(info, Operation.ISSUE_API_KEY, run), info.context.language
        )
        if result is None:
            return IssueApiKeyPayload(api_key=None, secret=None, errors=errors)
        row, secret = result
        return IssueApiKeyPayload(api_key=ApiKey.of(row, info), secret=secret, errors=[])

    @strawberry.mutation(
        description="Revoke one of the calling institution's keys; the others keep working. "
        "Revoking the key you call with ends this key's access too."
    )
    async def revoke_api_key(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The key's id (myApiKeys).")],
    ) -> RevokeApiKeyPayload:
        async def run() -> ApiKeyRow:
            who = permissions.institution(info)
            return await service.revoke_key(
                key_id=parse_id(id, "id"),
                institution_id=who.institution_id,
                actor=("institution", who.institution_id),
                now=info.context.now(),
            )

        row, errors = await attempt(
            throttled(info, Operation.REVOKE_API_KEY, run), info.context.language
        )
        return RevokeApiKeyPayload(api_key=ApiKey.of(row, info) if row else None, errors=errors)
