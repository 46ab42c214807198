"""Registering designated institutions and issuing their API keys (operator tasks)."""

from __future__ import annotations

import uuid
from datetime import datetime

from gongji.audit import service as audit
from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.identity import credentials
from gongji.institutions import queries, rules
from gongji.institutions.models import ApiKey, Institution
from gongji.institutions.rules import parse_institution_code
from gongji.ledger import service as ledger
from gongji.ledger.models import AccountKind
from gongji.ledger.rules import owner
from gongji.transactions import unit_of_work


async def register(*, code: str, name: str, now: datetime) -> Institution:
    """Add or rename a designated institution; its code carries its kind and region."""
    kind, region = parse_institution_code(code)
    name = name.strip()
    if not 1 <= len(name) <= 128:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "name",
            {"reason": bilingual("1–128个字符", "1–128 characters")},
        )
    institution, _ = await Institution.update_or_create(
        code=code.strip().upper(), defaults={"name": name, "kind": kind, "region": region}
    )
    await ledger.account(AccountKind.INSTITUTION, owner("institution", institution.id), now=now)
    return institution


async def issue_key(
    *,
    institution_id: uuid.UUID,
    label: str,
    expires_in_days: int | None,
    actor: tuple[str, object],
    now: datetime,
) -> tuple[ApiKey, str]:
    """A new API key. The secret is returned once and stored only hashed.

    `actor` is who asked: ("system", "cli") or ("institution", its id); it is audited.
    """
    label = rules.check_label(label)
    expires_at = rules.expiry(expires_in_days, now)
    secret = credentials.new_secret(credentials.API_KEY_PREFIX)
    async for attempt in unit_of_work():
        async with attempt:
            await Institution.filter(id=institution_id).select_for_update().get()  # one at a time
            rules.check_room_for_key(await queries.active_key_count(institution_id, now))
            key = await ApiKey.create(
                institution_id=institution_id,
                prefix=secret[:12],
                key_hash=credentials.digest(secret),
                label=label,
                created_at=now,
                expires_at=expires_at,
            )
            await audit.record(
                at=now,
                actor_kind=actor[0],
                actor_id=actor[1],
                action="institution.issue_key",
                subject_id=key.id,
                detail={
                    "label": label,
                    "expires_at": expires_at.isoformat() if expires_at else None,
                },
            )
    return key, secret


async def issue_api_key(
    *, code: str, label: str, now: datetime, expires_in_days: int | None = None
) -> tuple[ApiKey, str]:
    """The operator's command: a key for the institution with this code."""
    institution = await queries.by_code(code)
    return await issue_key(
        institution_id=institution.id,
        label=label,
        expires_in_days=expires_in_days,
        actor=("system", "cli"),
        now=now,
    )


async def revoke_key(
    *,
    key_id: uuid.UUID,
    institution_id: uuid.UUID | None,
    actor: tuple[str, object],
    now: datetime,
) -> ApiKey:
    """Revoke one key, leaving the others working (rotation without downtime).

    An institution may revoke only its own keys (`institution_id`); the operator any.
    Revoking a revoked key changes nothing.
    """
    query = ApiKey.filter(id=key_id)
    if institution_id is not None:
        query = query.filter(institution_id=institution_id)
    key = await query.get_or_none()
    if key is None:
        raise DomainError(ErrorCode.NOT_FOUND, "id")
    if key.revoked_at is None:
        async for attempt in unit_of_work():
            async with attempt:
                await ApiKey.filter(id=key.id, revoked_at=None).update(revoked_at=now)
                await audit.record(
                    at=now,
                    actor_kind=actor[0],
                    actor_id=actor[1],
                    action="institution.revoke_key",
                    subject_id=key.id,
                )
    return await ApiKey.get(id=key.id)


async def revoke_api_keys(*, code: str, now: datetime) -> int:
    """Every key of the institution at once (the operator's emergency stop)."""
    institution = await queries.by_code(code)
    return await ApiKey.filter(institution=institution, revoked_at=None).update(revoked_at=now)
