"""个人账户划入: the credits a region puts into personal accounts, one row per source line (R30)."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from gongji.members.models import Member


class CreditKind(enum.Enum):
    """What a line of the region's credit file carries."""

    MONTHLY = "monthly"  # 按月划入: into the current year's balance
    OPENING_CARRYOVER = "opening_carryover"  # 历年结余 at go-live
    OPENING_CURRENT = "opening_current"  # 当年余额 at go-live


class Credit(Model):
    """One credit as the region sent it. `source_reference` makes a re-sent line a no-op."""

    id = fields.UUIDField(primary_key=True)
    source_reference = fields.CharField(max_length=64, unique=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="credits", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(CreditKind, max_length=24)
    period = fields.CharField(max_length=7)  # YYYY-MM
    amount = fields.BigIntField()
    content_hash = fields.CharField(max_length=64)  # the line, without the ID number in clear
    ledger_transaction_id = fields.UUIDField(null=True)  # NULL: an amount of 0 moved nothing
    created_at = fields.DatetimeField()

    class Meta:
        table = "credit"
