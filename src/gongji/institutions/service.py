"""Registering designated institutions and issuing their API keys (operator tasks)."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from gongji.audit import service as audit
from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.identity import credentials
from gongji.institutions.models import ApiKey, Institution
from gongji.institutions.rules import parse_institution_code
from gongji.ledger import service as ledger
from gongji.ledger.models import AccountKind
from gongji.ledger.rules import owner


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


async def issue_api_key(*, code: str, label: str, now: datetime) -> str:
    """A new API key for the institution. The secret is returned once and stored only hashed."""
    institution = await Institution.get_or_none(code=code.strip().upper())
    if institution is None:
        raise DomainError(ErrorCode.NOT_FOUND, "code")
    secret = credentials.new_secret(credentials.API_KEY_PREFIX)
    async with in_transaction():
        await ApiKey.create(
            institution=institution,
            prefix=secret[:8],
            key_hash=credentials.digest(secret),
            label=label[:64],
        )
        await audit.record(
            at=now,
            actor_kind="system",
            actor_id="cli",
            action="institution.issue_key",
            subject_id=institution.id,
            detail={"label": label[:64]},
        )
    return secret


async def revoke_api_keys(*, code: str, now: datetime) -> int:
    institution = await Institution.get_or_none(code=code.strip().upper())
    if institution is None:
        raise DomainError(ErrorCode.NOT_FOUND, "code")
    return await ApiKey.filter(institution=institution, revoked_at=None).update(revoked_at=now)
