"""Holds 冻结 placed on authorizations by the fraud rules (R21), and their outcome."""

from __future__ import annotations

import enum
import uuid
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from gongji.keys import new_key

if TYPE_CHECKING:
    from gongji.payments.models import Payment
    from gongji.wallets.models import Authorization


class HoldStatus(enum.Enum):
    OPEN = "open"  # payments on the authorization are refused; an agent decides
    RELEASED = "released"  # a false positive: payments resume
    ENDED = "ended"  # the agent ended the authorization; the unspent quota returned


class AuthorizationHold(Model):
    """套取 suspected: a rule fired on a payment and the authorization waits for an agent."""

    id = fields.UUIDField(primary_key=True, default=new_key)
    authorization: fields.ForeignKeyRelation[Authorization] = fields.ForeignKeyField(
        "gongji.Authorization", related_name="holds", on_delete=fields.RESTRICT
    )
    payment: fields.ForeignKeyNullableRelation[Payment] = fields.ForeignKeyField(
        "gongji.Payment", related_name="holds", null=True, on_delete=fields.RESTRICT
    )
    rule_id = fields.CharField(max_length=16)  # the first rule that fired
    fired: list[dict[str, Any]] = fields.JSONField(default=list)  # every rule that fired, why
    region = fields.CharField(max_length=6)  # the authorizer's insured region: agents' scope
    status = fields.CharEnumField(HoldStatus, max_length=8)
    placed_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)
    resolved_by = fields.CharField(max_length=64, default="")
    reason = fields.CharField(max_length=255, default="")
    authorization_id: uuid.UUID
    payment_id: uuid.UUID | None

    class Meta:
        table = "authorization_hold"
        indexes = (("status", "placed_at", "id"), ("authorization_id", "placed_at"))
