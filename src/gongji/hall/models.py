"""The service hall 医保服务大厅: an agent verifies the member standing at the window."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from gongji.identity.models import FaceVerificationStatus

if TYPE_CHECKING:
    from gongji.identity.models import Agent
    from gongji.members.models import Member


class HallVerification(Model):
    """到厅核验: a face verification an agent starts for the member at the window.

    Once passed it stands for the member's presence until `expires_at`: the agent may act
    for that member, in that window, as often as the visit needs.
    """

    id = fields.UUIDField(primary_key=True)
    verify_id = fields.CharField(max_length=256, unique=True)
    out_seq_no = fields.CharField(max_length=64, unique=True)
    agent: fields.ForeignKeyRelation[Agent] = fields.ForeignKeyField(
        "gongji.Agent", related_name="hall_verifications", on_delete=fields.RESTRICT
    )
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="hall_verifications", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(FaceVerificationStatus, max_length=8)
    reason = fields.CharField(max_length=255)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    passed_at = fields.DatetimeField(null=True)
    agent_id: uuid.UUID  # set by Tortoise beside each relation; declared for mypy
    member_id: uuid.UUID

    class Meta:
        table = "hall_verification"
