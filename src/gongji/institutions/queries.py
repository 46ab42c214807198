"""Read side of institutions: their API keys, never the secrets."""

from __future__ import annotations

import uuid
from datetime import datetime

from tortoise.expressions import Q

from gongji.errors import DomainError, ErrorCode
from gongji.institutions.models import ApiKey, Institution


async def by_code(code: str) -> Institution:
    institution = await Institution.get_or_none(code=code.strip().upper())
    if institution is None:
        raise DomainError(ErrorCode.NOT_FOUND, "code")
    return institution


async def api_keys(institution_id: uuid.UUID) -> list[ApiKey]:
    """Every key the institution was issued, newest first (revoked and expired ones too)."""
    return await ApiKey.filter(institution_id=institution_id).order_by("-created_at", "-id")


def usable(now: datetime) -> Q:
    """Keys that authenticate: not revoked, not expired."""
    return Q(revoked_at=None) & (Q(expires_at=None) | Q(expires_at__gt=now))


async def active_key_count(institution_id: uuid.UUID, now: datetime) -> int:
    return await ApiKey.filter(usable(now), institution_id=institution_id).count()
