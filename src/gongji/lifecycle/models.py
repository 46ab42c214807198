"""Life events of R20: what the operator records about a deceased member's heirs."""

from __future__ import annotations

import enum
import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from gongji.members.models import Member


class HeirShareStatus(enum.Enum):
    HELD = "held"  # in the estate account until the heir is registered with a personal account
    PAID = "paid"  # in the heir's personal account


class HeirShare(Model):
    """继承: one heir's share of a deceased member's balance (R20).

    The heir may not be registered yet: they are known by their ID number (sealed, with its
    blind index) and `heir` is set once they are.
    """

    id = fields.UUIDField(primary_key=True)
    deceased: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="estate_shares", on_delete=fields.RESTRICT
    )
    heir_name = fields.CharField(max_length=64)
    heir_id_number_sealed = fields.CharField(max_length=160)
    heir_id_number_index = fields.CharField(max_length=64, db_index=True)
    heir: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="inherited_shares", null=True, on_delete=fields.RESTRICT
    )
    share = fields.CharField(max_length=32)  # a fraction, "1/3"
    amount = fields.BigIntField()
    status = fields.CharEnumField(HeirShareStatus, max_length=8)
    recorded_at = fields.DatetimeField()
    paid_at = fields.DatetimeField(null=True)
    deceased_id: uuid.UUID  # set by Tortoise beside each relation; declared for mypy
    heir_id: uuid.UUID | None

    class Meta:
        table = "heir_share"
        unique_together = (("deceased", "heir_id_number_index"),)
