"""Posting and reconciling. Call `post` inside the use case's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.functions import Sum

from gongji import sql
from gongji.errors import DomainError, ErrorCode
from gongji.ledger.models import Account, AccountKind, Entry, LedgerTransaction
from gongji.ledger.rules import check_balanced
from gongji.transactions import atomic


async def account(
    kind: AccountKind, owner: str, *, now: datetime, allow_negative: bool = False
) -> Account:
    """Get or create an account.

    Accounts that many requests may create for the first time at once (an institution's,
    the system's) are created before the unit of work, not inside it: see create_bill.
    """
    found = await Account.get_or_none(kind=kind, owner=owner)
    if found is not None:
        return found
    try:
        return await atomic(
            lambda: Account.create(
                kind=kind, owner=owner, allow_negative=allow_negative, created_at=now
            )
        )
    except IntegrityError:
        return await Account.get(kind=kind, owner=owner)


async def post(
    *,
    kind: str,
    reference: object,
    movements: list[tuple[Account, int]],
    now: datetime,
    memo: str = "",
    shortfall: ErrorCode = ErrorCode.INSUFFICIENT_BALANCE,
) -> LedgerTransaction:
    """Write one balanced transaction and apply it to the balances.

    Each debit of an account that may not go negative is a conditional update
    (`balance >= amount`), so concurrent posts can never overdraw it: the loser gets
    `shortfall`, and the caller's transaction rolls back whole.
    """
    check_balanced([amount for _, amount in movements])
    transaction = await LedgerTransaction.create(
        kind=kind, reference=str(reference), memo=memo[:255], created_at=now
    )
    await Entry.bulk_create(
        [Entry(transaction=transaction, account=acc, amount=amount) for acc, amount in movements]
    )
    for acc, amount in sorted(movements, key=lambda m: m[0].id):  # fixed order: no deadlocks
        query = Account.filter(id=acc.id)
        if amount < 0 and not acc.allow_negative:
            query = query.filter(balance__gte=-amount)
        if await query.update(balance=F("balance") + amount) != 1:
            raise DomainError(shortfall, "amount")
        acc.balance += amount
    return transaction


class Held(Protocol):
    """An account as `post_in` needs it: an `Account`, or a reference read with other rows."""

    @property
    def id(self) -> Any: ...

    @property
    def allow_negative(self) -> bool: ...


async def post_in(
    writes: sql.Writes,
    *,
    kind: str,
    reference: object,
    movements: list[tuple[Held, int]],
    now: datetime,
    memo: str = "",
    shortfall: ErrorCode = ErrorCode.INSUFFICIENT_BALANCE,
) -> object:
    """`post`, written into the caller's batch: the transaction, its entries (one INSERT)
    and one conditional UPDATE per balance, sent with the caller's other writes. A debit the
    account cannot cover makes the batch raise `shortfall`. Returns the transaction's key.

    A key the database generates (an auto-increment) costs one round trip of its own: the
    entries must name it.
    """
    check_balanced([amount for _, amount in movements])
    row: dict[str, Any] = {
        "kind": kind,
        "reference": str(reference),
        "memo": memo[:255],
        "created_at": now,
    }
    key = sql.new_key(LedgerTransaction)
    if key is None:
        key = (await LedgerTransaction.create(**row)).id
    else:
        writes.insert(LedgerTransaction, [{"id": key, **row}])
    entry_key = sql.new_key(Entry) is not None
    writes.insert(
        Entry,
        [
            {
                **({"id": sql.new_key(Entry)} if entry_key else {}),
                "transaction_id": key,
                "account_id": acc.id,
                "amount": amount,
            }
            for acc, amount in movements
        ],
    )
    pk = Account._meta.pk
    for acc, amount in sorted(movements, key=lambda m: m[0].id):  # post's order: no deadlocks
        guarded = amount < 0 and not acc.allow_negative
        ident = pk.to_db_value(acc.id, Account)
        writes.update(
            'UPDATE "ledger_account" SET "balance" = "balance" + ? WHERE "id" = ?'
            + (' AND "balance" >= ?' if guarded else ""),
            [amount, ident, -amount] if guarded else [amount, ident],
            refusal=DomainError(shortfall, "amount"),
        )
    return key


async def balance(kind: AccountKind, owner: str) -> int:
    found = await Account.get_or_none(kind=kind, owner=owner)
    return found.balance if found else 0


@dataclass
class Reconciliation:
    accounts: int = 0
    transactions: int = 0
    entries: int = 0
    debits: int = 0
    credits: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


async def reconcile() -> Reconciliation:
    """Recompute every balance from its entries; check every transaction balances (R22)."""
    report = Reconciliation()
    sums = {
        row["account_id"]: int(row["total"] or 0)
        for row in await Entry.annotate(total=Sum("amount"))
        .group_by("account_id")
        .values("account_id", "total")
    }
    for acc in await Account.all().order_by("id"):
        report.accounts += 1
        recomputed = sums.get(acc.id, 0)
        if recomputed != acc.balance:
            report.problems.append(
                f"account {acc.id} {acc.kind.value} {acc.owner}: balance {acc.balance}"
                f" but entries sum to {recomputed}"
            )
        if acc.balance < 0 and not acc.allow_negative:
            report.problems.append(f"account {acc.id} {acc.kind.value} {acc.owner} is negative")
    unbalanced = (
        await Entry.annotate(total=Sum("amount"))
        .group_by("transaction_id")
        .values("transaction_id", "total")
    )
    for row in unbalanced:
        report.transactions += 1
        if int(row["total"] or 0) != 0:
            report.problems.append(f"transaction {row['transaction_id']} is off by {row['total']}")
    report.entries = await Entry.all().count()
    report.debits = int(
        (await Entry.filter(amount__gt=0).annotate(s=Sum("amount")).first().values("s"))["s"] or 0
    )
    report.credits = -int(
        (await Entry.filter(amount__lt=0).annotate(s=Sum("amount")).first().values("s"))["s"] or 0
    )
    if report.debits != report.credits:
        report.problems.append(f"debits {report.debits} != credits {report.credits}")
    return report
