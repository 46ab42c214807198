"""Designated medical institutions 定点医药机构 and their API credentials."""

from __future__ import annotations

import enum
import uuid

from tortoise import fields
from tortoise.models import Model


class InstitutionKind(enum.Enum):
    HOSPITAL = "hospital"  # 定点医院, code H + 6-digit region + 5 digits
    PHARMACY = "pharmacy"  # 定点药店, code P + 11 digits


class Institution(Model):
    id = fields.UUIDField(primary_key=True)
    code = fields.CharField(max_length=12, unique=True)
    name = fields.CharField(max_length=128)
    kind = fields.CharEnumField(InstitutionKind, max_length=16)
    region = fields.CharField(max_length=6)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "institution"


class ApiKey(Model):
    """A partner credential. Only the SHA-256 of the secret is stored.

    An institution holds several (one per system, or old and new while rotating); each ends
    when revoked or when it expires.
    """

    id = fields.UUIDField(primary_key=True)
    institution: fields.ForeignKeyRelation[Institution] = fields.ForeignKeyField(
        "gongji.Institution", related_name="api_keys", on_delete=fields.RESTRICT
    )
    institution_id: uuid.UUID  # set by Tortoise beside each relation; declared for mypy
    prefix = fields.CharField(max_length=16)
    key_hash = fields.CharField(max_length=64, unique=True)
    label = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)  # at most a minute stale: see authenticate

    class Meta:
        table = "api_key"
