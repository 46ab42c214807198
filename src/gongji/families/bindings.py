"""Ending a binding 解绑, shared by the family use cases and the life events (R9, R20)."""

from __future__ import annotations

import uuid
from datetime import datetime

from gongji.errors import DomainError, ErrorCode
from gongji.families.models import FamilyGroup, Invitation, Membership
from gongji.families.rules import InvitationStatus, MembershipRole
from gongji.wallets.service import end_authorizations


async def end_membership(group: FamilyGroup, member_id: uuid.UUID, now: datetime, by: str) -> None:
    """R9: unbind. The creator leaving dissolves the group and ends every binding in it.

    Authorizations through the group end with it; their unspent quota returns (R11).
    Runs inside the caller's transaction, which holds the group's row lock.
    """
    membership = await Membership.get_or_none(group=group, member_id=member_id, active=True)
    if membership is None:
        raise DomainError(ErrorCode.NOT_GROUP_MEMBER, "groupId")
    if membership.role is MembershipRole.CREATOR:
        await end_authorizations(group_id=group.id, now=now, by=by)
        await Membership.filter(group=group, active=True).update(active=False, left_at=now)
        await Invitation.filter(group=group, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.REVOKED, pending_slot=None, decided_at=now
        )
        await FamilyGroup.filter(id=group.id).update(active=False, dissolved_at=now)
        group.active = False
    else:
        await end_authorizations(group_id=group.id, member_id=member_id, now=now, by=by)
        await Membership.filter(id=membership.id).update(active=False, left_at=now)
