"""Read side of family groups: which invitations a member sees, by their effective status."""

from __future__ import annotations

import uuid
from datetime import datetime

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from gongji.families.models import Invitation
from gongji.families.rules import InvitationStatus


def with_effective_status(status: InvitationStatus, now: datetime) -> Q:
    """R7 in SQL, as rules.effective_status decides it: a pending one past expiry is expired."""
    pending = Q(status=InvitationStatus.PENDING)
    if status is InvitationStatus.PENDING:
        return pending & Q(expires_at__gt=now)
    if status is InvitationStatus.EXPIRED:
        return Q(status=InvitationStatus.EXPIRED) | (pending & Q(expires_at__lte=now))
    return Q(status=status)


def invitations_for(
    member_id: uuid.UUID, status: InvitationStatus | None, now: datetime
) -> QuerySet[Invitation]:
    """Invitations this member sent or received, with what each one shows."""
    query = Invitation.filter(Q(invitee_id=member_id) | Q(inviter_id=member_id))
    if status is not None:
        query = query.filter(with_effective_status(status, now))
    return query.select_related("group", "invitee", "inviter")
