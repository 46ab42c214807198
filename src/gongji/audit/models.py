"""审计日志: who did what, for whom, and why. Written in the same transaction as the act."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from gongji.keys import new_key


class AuditEntry(Model):
    id = fields.UUIDField(primary_key=True, default=new_key)
    at = fields.DatetimeField()
    actor_kind = fields.CharField(max_length=16)  # member, agent, institution, system
    actor_id = fields.CharField(max_length=64)
    action = fields.CharField(max_length=64)
    subject_id = fields.CharField(max_length=64, default="")
    reason = fields.CharField(max_length=255, default="")
    on_behalf_of = fields.CharField(max_length=64, null=True)  # the member an agent acted for
    detail: dict[str, Any] = fields.JSONField(default=dict)

    class Meta:
        table = "audit_entry"
        indexes = (("actor_kind", "actor_id"), ("subject_id",))
