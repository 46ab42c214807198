"""医保钱包, transfers into it, and authorizations 共济授权."""

from __future__ import annotations

import enum
import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from gongji.families.rules import Relationship

if TYPE_CHECKING:
    from gongji.families.models import FamilyGroup
    from gongji.members.models import Member


class Wallet(Model):
    """A member's medical insurance wallet, opened through an official channel (R10)."""

    id = fields.UUIDField(primary_key=True)
    member: fields.OneToOneRelation[Member] = fields.OneToOneField(
        "gongji.Member", related_name="wallet", on_delete=fields.RESTRICT
    )
    member_id: uuid.UUID  # set by Tortoise beside each relation; declared for mypy
    opened_at = fields.DatetimeField()

    class Meta:
        table = "wallet"


class WalletTransfer(Model):
    """划转: personal account → wallet. Carry-over balance is used first (R12)."""

    id = fields.UUIDField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="wallet_transfers", on_delete=fields.RESTRICT
    )
    member_id: uuid.UUID
    amount = fields.BigIntField()
    from_carryover = fields.BigIntField()
    from_current = fields.BigIntField()
    local_date = fields.DateField()  # the day in China, for the per-day limit
    created_at = fields.DatetimeField()

    class Meta:
        table = "wallet_transfer"
        indexes = (("member_id", "local_date"),)


class AuthorizationStatus(enum.Enum):
    ACTIVE = "active"
    REVOKED = "revoked"  # 解绑 by either side
    ENDED = "ended"  # ended by the family group (leave, removal, dissolution)


class Authorization(Model):
    """共济授权: the authorizer lets one relative spend up to `quota` from the wallet (R11).

    The unspent part (quota − spent) sits in the authorization's QUOTA ledger account.
    """

    id = fields.UUIDField(primary_key=True)
    authorizer: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="authorizations_granted", on_delete=fields.RESTRICT
    )
    relative: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "gongji.Member", related_name="authorizations_received", on_delete=fields.RESTRICT
    )
    group: fields.ForeignKeyRelation[FamilyGroup] = fields.ForeignKeyField(
        "gongji.FamilyGroup", related_name="authorizations", on_delete=fields.RESTRICT
    )
    authorizer_id: uuid.UUID
    relative_id: uuid.UUID
    group_id: uuid.UUID
    relationship = fields.CharEnumField(Relationship, max_length=16)
    quota = fields.BigIntField()
    spent = fields.BigIntField(default=0)
    status = fields.CharEnumField(AuthorizationStatus, max_length=8)
    # "authorizer:relative" while active: one active authorization per pair, on every engine
    active_slot = fields.CharField(max_length=80, null=True, unique=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)
    ended_by = fields.CharField(max_length=64, default="")
    agent_id = fields.UUIDField(null=True)  # granted at the service hall through this agent

    class Meta:
        table = "authorization"
