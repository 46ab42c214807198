"""Bills from institutions, family payments, refunds and premium payments."""

from __future__ import annotations

import enum
import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from gongji.keys import new_key
from gongji.payments.rules import ItemCategory, VisitType

if TYPE_CHECKING:
    from gongji.institutions.models import Institution
    from gongji.members.models import Member
    from gongji.wallets.models import Authorization


class BillStatus(enum.Enum):
    OPEN = "open"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class Bill(Model):
    """A settlement from a designated institution for one patient (R14, R17)."""

    id = fields.UUIDField(primary_key=True)
    institution: fields.ForeignKeyRelation[Institution] = fields.ForeignKeyField(
        "gongji.Institution", related_name="bills", on_delete=fields.RESTRICT
    )
    external_ref = fields.CharField(max_length=64)  # the institution's settlement number
    content_hash = fields.CharField(max_length=64)
    patient: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="bills", on_delete=fields.RESTRICT
    )
    proxy_buyer: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="proxy_bills", null=True, on_delete=fields.RESTRICT
    )
    institution_id: uuid.UUID  # set by Tortoise beside each relation; declared for mypy
    patient_id: uuid.UUID
    proxy_buyer_id: uuid.UUID | None
    visit_type = fields.CharEnumField(VisitType, max_length=2)
    medfee_sumamt = fields.BigIntField()
    hifp_pay = fields.BigIntField()
    fulamt_ownpay_amt = fields.BigIntField()
    status = fields.CharEnumField(BillStatus, max_length=20, default=BillStatus.OPEN)
    created_at = fields.DatetimeField()

    class Meta:
        table = "bill"
        unique_together = (("institution", "external_ref"),)
        indexes = (("institution_id", "created_at", "id"), ("patient_id", "created_at", "id"))


class BillItem(Model):
    id = fields.UUIDField(primary_key=True, default=new_key)
    bill: fields.ForeignKeyRelation[Bill] = fields.ForeignKeyField(
        "gongji.Bill", related_name="items", on_delete=fields.RESTRICT
    )
    position = fields.IntField()
    name = fields.CharField(max_length=128)
    category = fields.CharEnumField(ItemCategory, max_length=16)
    amount = fields.BigIntField()
    bill_id: uuid.UUID

    class Meta:
        table = "bill_item"


class Payment(Model):
    """家庭共济支付: at most one per bill, enforced by the database."""

    id = fields.UUIDField(primary_key=True)
    bill: fields.OneToOneRelation[Bill] = fields.OneToOneField(
        "gongji.Bill", related_name="payment", on_delete=fields.RESTRICT
    )
    authorization: fields.ForeignKeyRelation[Authorization] = fields.ForeignKeyField(
        "gongji.Authorization", related_name="payments", on_delete=fields.RESTRICT
    )
    patient: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="payments_as_patient", on_delete=fields.RESTRICT
    )
    authorizer: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="payments_as_authorizer", on_delete=fields.RESTRICT
    )
    institution: fields.ForeignKeyRelation[Institution] = fields.ForeignKeyField(
        "gongji.Institution", related_name="payments", on_delete=fields.RESTRICT
    )
    personal_share = fields.BigIntField()  # psn_part_amt
    family_amount = fields.BigIntField()  # acct_mulaid_pay
    cash_amount = fields.BigIntField()  # psn_cash_pay
    excluded_amount = fields.BigIntField()
    excluded_items: list[str] = fields.JSONField(default=list)
    refunded = fields.BigIntField(default=0)
    created_at = fields.DatetimeField()
    bill_id: uuid.UUID
    authorization_id: uuid.UUID
    patient_id: uuid.UUID
    authorizer_id: uuid.UUID
    institution_id: uuid.UUID

    class Meta:
        table = "payment"


class PaymentCode(Model):
    """付款码: a one-time code the patient shows at the counter, like the 医保码.

    Made for one of the patient's authorizations; only its SHA-256 is stored.
    """

    id = fields.UUIDField(primary_key=True)
    code_hash = fields.CharField(max_length=64, unique=True)
    patient: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="payment_codes", on_delete=fields.RESTRICT
    )
    authorization: fields.ForeignKeyRelation[Authorization] = fields.ForeignKeyField(
        "gongji.Authorization", related_name="payment_codes", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    payment: fields.ForeignKeyNullableRelation[Payment] = fields.ForeignKeyField(
        "gongji.Payment", related_name="payment_codes", null=True, on_delete=fields.RESTRICT
    )
    patient_id: uuid.UUID
    authorization_id: uuid.UUID
    payment_id: uuid.UUID | None

    class Meta:
        table = "payment_code"


class Refund(Model):
    id = fields.UUIDField(primary_key=True)
    payment: fields.ForeignKeyRelation[Payment] = fields.ForeignKeyField(
        "gongji.Payment", related_name="refunds", on_delete=fields.RESTRICT
    )
    amount = fields.BigIntField()
    to_wallet = fields.BooleanField()  # the authorization had ended: money went to the wallet
    reason = fields.CharField(max_length=255)
    created_at = fields.DatetimeField()
    payment_id: uuid.UUID

    class Meta:
        table = "refund"


class PremiumPayment(Model):
    """代缴城乡居民医保: a relative's resident premium paid from the wallet (R16)."""

    id = fields.UUIDField(primary_key=True)
    payer: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="premiums_paid", on_delete=fields.RESTRICT
    )
    relative: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="premiums_received", on_delete=fields.RESTRICT
    )
    payer_id: uuid.UUID
    relative_id: uuid.UUID
    year = fields.IntField()
    amount = fields.BigIntField()
    created_at = fields.DatetimeField()
    region = fields.CharField(max_length=6, null=True)  # the relative's insured city (R29)

    class Meta:
        table = "premium_payment"
        unique_together = (("relative", "year"),)
