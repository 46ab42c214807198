"""Commercial health insurance 商业健康保险 paid from the wallet for a relative (R16)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from gongji.members.models import Member


class Insurer(Model):
    """A commercial insurer registered by an operator: premiums are paid to it only."""

    id = fields.UUIDField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=128)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "insurer"


class CommercialPremium(Model):
    """One premium for a relative's commercial health insurance policy, paid from the wallet."""

    id = fields.UUIDField(primary_key=True)
    payer: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="commercial_premiums_paid", on_delete=fields.RESTRICT
    )
    insured: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="commercial_premiums_received", on_delete=fields.RESTRICT
    )
    insurer: fields.ForeignKeyRelation[Insurer] = fields.ForeignKeyField(
        "gongji.Insurer", related_name="premiums", on_delete=fields.RESTRICT
    )
    order_number = fields.CharField(max_length=64)  # the insurer's premium order 缴费单号
    amount = fields.BigIntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "commercial_premium"
        unique_together = (("insurer", "order_number"),)
