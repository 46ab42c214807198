"""Insured registry 参保人名册."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from gongji.members.rules import InsuranceStatus, InsuranceType


class Member(Model):
    """参保人: an insured person as the registry knows them."""

    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=64)
    id_number = fields.CharField(max_length=18, unique=True)
    insurance_type = fields.CharEnumField(InsuranceType, max_length=16)
    insured_region = fields.CharField(max_length=6, db_index=True)
    status = fields.CharEnumField(InsuranceStatus, max_length=16, default=InsuranceStatus.NORMAL)
    phone = fields.CharField(max_length=11, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "member"
