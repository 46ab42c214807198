"""Insured registry 参保人名册."""

from __future__ import annotations

from typing import TypedDict

from tortoise import fields
from tortoise.models import Model

from gongji import pii
from gongji.members.rules import InsuranceStatus, InsuranceType


class Member(Model):
    """参保人: an insured person as the registry knows them.

    The ID number and phone are stored sealed (gongji.pii): write them only through
    `personal_data`, look a member up by ID number only through `id_number_is`.
    """

    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=64)
    id_number_sealed = fields.CharField(max_length=160)
    id_number_index = fields.CharField(max_length=64, unique=True)
    insurance_type = fields.CharEnumField(InsuranceType, max_length=16)
    insured_region = fields.CharField(max_length=6, db_index=True)
    status = fields.CharEnumField(InsuranceStatus, max_length=16, default=InsuranceStatus.NORMAL)
    phone_sealed = fields.CharField(max_length=160, default="")  # "": no phone on record
    # 门诊统筹余额 (R28), in fen, as the last registry import supplied it; NULL: not supplied
    outpatient_pool_balance = fields.BigIntField(null=True)
    outpatient_pool_as_of = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "member"

    @property
    def id_number(self) -> str:
        return pii.reveal(self.id_number_sealed, pii.ID_NUMBER)

    @property
    def phone(self) -> str:
        return pii.reveal(self.phone_sealed, pii.PHONE) if self.phone_sealed else ""


class PersonalData(TypedDict):
    id_number_sealed: str
    id_number_index: str
    phone_sealed: str


class IdNumberIs(TypedDict):
    id_number_index: str


def personal_data(*, id_number: str, phone: str) -> PersonalData:
    """The member's columns for this ID number and phone: sealed, with the blind index.

    The one way these columns are written: `create`, `bulk_create`, `update_or_create` and
    `QuerySet.update` all take this dict (the last two bypass `save()`, so no hook could do it).
    """
    return {
        "id_number_sealed": pii.seal(id_number, pii.ID_NUMBER),
        "id_number_index": pii.blind_index(id_number, pii.ID_NUMBER),
        "phone_sealed": pii.seal(phone, pii.PHONE) if phone else "",
    }


def id_number_is(id_number: str) -> IdNumberIs:
    """Filter arguments for an exact ID number (already normalized): the blind index."""
    return {"id_number_index": pii.blind_index(id_number, pii.ID_NUMBER)}


def id_number_in(id_numbers: list[str]) -> dict[str, list[str]]:
    return {"id_number_index__in": [pii.blind_index(n, pii.ID_NUMBER) for n in id_numbers]}
