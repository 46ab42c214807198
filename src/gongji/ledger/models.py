"""Double-entry ledger 账本: accounts, transactions and their entries."""

from __future__ import annotations

import enum

from tortoise import fields
from tortoise.models import Model

from gongji.keys import new_key


class AccountKind(enum.Enum):
    PERSONAL_CARRYOVER = "personal_carryover"  # 个人账户历年结余
    PERSONAL_CURRENT = "personal_current"  # 个人账户当年
    WALLET = "wallet"  # 医保钱包
    QUOTA = "quota"  # 共济额度: money reserved for one authorization (R11)
    INSTITUTION = "institution"  # 定点机构结算账户
    # 保费归集: resident premiums per insured city ("region:<code>"), commercial ones per
    # registered insurer ("insurer:<id>")
    PREMIUM_COLLECTION = "premium_collection"
    CONTRIBUTIONS = "contributions"  # 个人账户划入: a region fund, "region:<code>"; negative
    ESTATE = "estate"  # 遗产: a deceased member's balance until the heirs receive it (R20)


class Account(Model):
    """One balance. `balance` always equals the sum of the account's entries (reconcile)."""

    id = fields.UUIDField(primary_key=True, default=new_key)
    kind = fields.CharEnumField(AccountKind, max_length=24)
    owner = fields.CharField(max_length=64)  # "member:<uuid>", "authorization:<uuid>", …
    balance = fields.BigIntField(default=0)
    allow_negative = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()

    class Meta:
        table = "ledger_account"
        unique_together = (("kind", "owner"),)


class LedgerTransaction(Model):
    """One movement of money: entries that sum to zero, written with the balances they change."""

    id = fields.UUIDField(primary_key=True, default=new_key)
    kind = fields.CharField(max_length=32)
    reference = fields.CharField(max_length=64, db_index=True)
    memo = fields.CharField(max_length=255, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "ledger_transaction"


class Entry(Model):
    """Signed fen: positive into the account (debit), negative out of it (credit)."""

    id = fields.UUIDField(primary_key=True, default=new_key)
    transaction: fields.ForeignKeyRelation[LedgerTransaction] = fields.ForeignKeyField(
        "gongji.LedgerTransaction", related_name="entries", on_delete=fields.RESTRICT
    )
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "gongji.Account", related_name="entries", on_delete=fields.RESTRICT
    )
    amount = fields.BigIntField()

    class Meta:
        table = "ledger_entry"
