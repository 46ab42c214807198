"""医保使用记录: one row per use of family money, written with the movement itself (R19)."""

from __future__ import annotations

import enum
import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from gongji.keys import new_key
from gongji.payments.rules import VisitType

if TYPE_CHECKING:
    from gongji.institutions.models import Institution
    from gongji.members.models import Member


class RecordKind(enum.Enum):
    PAYMENT = "payment"
    REFUND = "refund"
    PREMIUM = "premium"
    WALLET_TRANSFER = "wallet_transfer"


class UsageRecord(Model):
    """A read model: never updated, so keyset pages stay stable under concurrent inserts.

    `amount` is the signed change to the family money used: a refund is negative.
    """

    id = fields.UUIDField(primary_key=True, default=new_key)
    occurred_at = fields.DatetimeField()
    kind = fields.CharEnumField(RecordKind, max_length=16)
    visit_type = fields.CharEnumField(VisitType, max_length=2, null=True)
    institution: fields.ForeignKeyNullableRelation[Institution] = fields.ForeignKeyField(
        "gongji.Institution", related_name="usage_records", null=True, on_delete=fields.RESTRICT
    )
    patient: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="usage_as_patient", null=True, on_delete=fields.RESTRICT
    )
    authorizer: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="usage_as_authorizer", null=True, on_delete=fields.RESTRICT
    )
    institution_id: uuid.UUID | None  # set by Tortoise beside each relation; declared for mypy
    patient_id: uuid.UUID | None
    authorizer_id: uuid.UUID | None
    authorization_id = fields.UUIDField(null=True)
    patient_region = fields.CharField(max_length=6, null=True)  # insured region at the time
    authorizer_region = fields.CharField(max_length=6, null=True)
    total = fields.BigIntField(default=0)  # medfee_sumamt
    fund = fields.BigIntField(default=0)  # hifp_pay
    family = fields.BigIntField(default=0)  # acct_mulaid_pay (negative for a refund)
    cash = fields.BigIntField(default=0)  # psn_cash_pay
    amount = fields.BigIntField()  # money moved by this record, signed
    reference = fields.CharField(max_length=64)

    class Meta:
        table = "usage_record"
        indexes = (
            ("patient_id", "occurred_at", "id"),
            ("authorizer_id", "occurred_at", "id"),
            ("institution_id", "occurred_at", "id"),
        )
