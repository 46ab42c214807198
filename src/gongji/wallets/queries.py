"""Read side of authorizations: those a member granted, and those they received."""

from __future__ import annotations

import uuid

from tortoise.queryset import QuerySet

from gongji.wallets.models import Authorization


def granted_by(member_id: uuid.UUID) -> QuerySet[Authorization]:
    return Authorization.filter(authorizer_id=member_id).select_related("authorizer", "relative")


def received_by(member_id: uuid.UUID) -> QuerySet[Authorization]:
    return Authorization.filter(relative_id=member_id).select_related("authorizer", "relative")
