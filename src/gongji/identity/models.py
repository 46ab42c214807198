"""WeChat users, sessions, face verifications and service-hall agents."""

from __future__ import annotations

import enum
import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from gongji.identity.rules import AgentScope

if TYPE_CHECKING:
    from gongji.members.models import Member


class WechatUser(Model):
    """A mini-program user (openid), linked to an insured member after face verification."""

    id = fields.UUIDField(primary_key=True)
    openid = fields.CharField(max_length=128, unique=True)
    member: fields.OneToOneNullableRelation[Member] = fields.OneToOneField(
        "gongji.Member", related_name="wechat_user", null=True, on_delete=fields.RESTRICT
    )
    member_id: uuid.UUID | None  # set by Tortoise beside each relation; declared for mypy
    created_at = fields.DatetimeField()
    linked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "wechat_user"


class TokenKind(enum.Enum):
    MEMBER = "member"
    AGENT = "agent"


class AccessToken(Model):
    """A bearer token. Only its SHA-256 is stored."""

    id = fields.UUIDField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    kind = fields.CharEnumField(TokenKind, max_length=8)
    wechat_user: fields.ForeignKeyNullableRelation[WechatUser] = fields.ForeignKeyField(
        "gongji.WechatUser", related_name="tokens", null=True, on_delete=fields.CASCADE
    )
    agent: fields.ForeignKeyNullableRelation[Agent] = fields.ForeignKeyField(
        "gongji.Agent", related_name="tokens", null=True, on_delete=fields.CASCADE
    )
    wechat_user_id: uuid.UUID | None
    agent_id: uuid.UUID | None
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()

    class Meta:
        table = "access_token"


class FaceVerificationStatus(enum.Enum):
    STARTED = "started"
    PASSED = "passed"
    FAILED = "failed"


class FaceVerification(Model):
    """One face verification session: who (member), by whom (WeChat user), used once."""

    id = fields.UUIDField(primary_key=True)
    verify_id = fields.CharField(max_length=256, unique=True)
    out_seq_no = fields.CharField(max_length=64, unique=True)
    wechat_user: fields.ForeignKeyRelation[WechatUser] = fields.ForeignKeyField(
        "gongji.WechatUser", related_name="face_verifications", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="face_verifications", on_delete=fields.RESTRICT
    )
    wechat_user_id: uuid.UUID
    member_id: uuid.UUID
    status = fields.CharEnumField(FaceVerificationStatus, max_length=8)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_for = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "face_verification"


class Agent(Model):
    """经办人员: service-hall staff. Password stored as scrypt."""

    id = fields.UUIDField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=64)
    office_region = fields.CharField(max_length=6)
    scope = fields.CharEnumField(AgentScope, max_length=16, default=AgentScope.CITY)
    password_hash = fields.CharField(max_length=256)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "agent"
