"""Family groups 家庭共济组, memberships and invitations."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from gongji.families.rules import InvitationStatus, MembershipRole, Relationship

if TYPE_CHECKING:
    from gongji.members.models import Member


class FamilyGroup(Model):
    """家庭共济组: created by one insured person who accepted the commitment letter (R6)."""

    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=64)
    creator: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="created_groups", on_delete=fields.RESTRICT
    )
    creator_id: uuid.UUID  # set by Tortoise beside each relation; declared for mypy
    commitment_version = fields.CharField(max_length=32)
    commitment_accepted_at = fields.DatetimeField()
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()
    dissolved_at = fields.DatetimeField(null=True)
    # 经办人员: set when a service-hall agent created it for the creator at the window
    agent_id = fields.UUIDField(null=True)

    class Meta:
        table = "family_group"


class Membership(Model):
    """One person in one group. Leaving keeps the row (history) and clears `active`."""

    id = fields.UUIDField(primary_key=True)
    group: fields.ForeignKeyRelation[FamilyGroup] = fields.ForeignKeyField(
        "gongji.FamilyGroup", related_name="memberships", on_delete=fields.RESTRICT
    )
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="memberships", on_delete=fields.RESTRICT
    )
    group_id: uuid.UUID
    member_id: uuid.UUID
    role = fields.CharEnumField(MembershipRole, max_length=16)
    relationship = fields.CharEnumField(Relationship, max_length=16, null=True)
    active = fields.BooleanField(default=True)
    joined_at = fields.DatetimeField()
    left_at = fields.DatetimeField(null=True)
    agent_id = fields.UUIDField(null=True)  # joined at the service hall through this agent

    class Meta:
        table = "membership"
        unique_together = (("group", "member"),)  # one membership per person per group


class Invitation(Model):
    """邀请: pending until accepted, declined, revoked or expired (R7)."""

    id = fields.UUIDField(primary_key=True)
    group: fields.ForeignKeyRelation[FamilyGroup] = fields.ForeignKeyField(
        "gongji.FamilyGroup", related_name="invitations", on_delete=fields.RESTRICT
    )
    inviter: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="sent_invitations", on_delete=fields.RESTRICT
    )
    invitee: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="received_invitations", on_delete=fields.RESTRICT
    )
    group_id: uuid.UUID
    inviter_id: uuid.UUID
    invitee_id: uuid.UUID
    relationship = fields.CharEnumField(Relationship, max_length=16)
    status = fields.CharEnumField(InvitationStatus, max_length=16, default=InvitationStatus.PENDING)
    # "group:invitee" while pending, NULL after: a unique index on it allows one pending
    # invitation per invitee per group on every engine (NULLs never collide).
    pending_slot = fields.CharField(max_length=80, null=True, unique=True)
    proof_material = fields.CharField(max_length=255, default="")
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    # 家庭成员添加告知书 (R25): which version was read and agreed for this binding, and when
    notice_version = fields.CharField(max_length=32, null=True)
    notice_accepted_at = fields.DatetimeField(null=True)
    # …and by the relative, when accepting (R25: each side of the binding reads it)
    invitee_notice_version = fields.CharField(max_length=32, null=True)
    invitee_notice_accepted_at = fields.DatetimeField(null=True)
    # R24: when the inviter's own face verification passed, where the region asks for it
    inviter_verified_at = fields.DatetimeField(null=True)
    agent_id = fields.UUIDField(null=True)  # sent at the service hall through this agent
    decided_by_agent_id = fields.UUIDField(null=True)  # accepted at the service hall

    class Meta:
        table = "invitation"
