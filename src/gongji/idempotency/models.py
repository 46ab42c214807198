"""幂等记录: one row per (caller, key), committed with the work it guards."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from gongji.keys import new_key


class IdempotencyRecord(Model):
    id = fields.UUIDField(primary_key=True, default=new_key)
    scope = fields.CharField(max_length=80)  # the caller: "member:<uuid>", "institution:<uuid>"
    key = fields.CharField(max_length=80)
    operation = fields.CharField(max_length=32)
    request_hash = fields.CharField(max_length=64)
    result_id = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotency_record"
        unique_together = (("scope", "key"),)
