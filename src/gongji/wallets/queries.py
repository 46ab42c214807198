"""Read side of authorizations: those a member granted, and those they received."""

from __future__ import annotations

import uuid

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from gongji.wallets.models import Authorization, FamilyTransfer


def granted_by(member_id: uuid.UUID) -> QuerySet[Authorization]:
    return Authorization.filter(authorizer_id=member_id).select_related("authorizer", "relative")


def received_by(member_id: uuid.UUID) -> QuerySet[Authorization]:
    return Authorization.filter(relative_id=member_id).select_related("authorizer", "relative")


def family_transfers_of(member_id: uuid.UUID) -> QuerySet[FamilyTransfer]:
    """Transfers to and from relatives the member sent or received."""
    return FamilyTransfer.filter(Q(sender_id=member_id) | Q(recipient_id=member_id)).select_related(
        "sender", "recipient"
    )
