"""Import the region's credits 个人账户划入 (R30): all or nothing, idempotent per source line.

A file is checked whole before anything is written, in the same transaction that writes it
(the members' rows are locked, so a death or a move cannot slip between check and credit).
Writes go in batches: a few statements per batch of lines, never one round trip per line.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import F

from gongji.audit import service as audit
from gongji.credits import rules
from gongji.credits.models import Credit
from gongji.credits.rules import CreditLine, LineError
from gongji.ledger import service as ledger
from gongji.ledger.models import Account, AccountKind, Entry, LedgerTransaction
from gongji.ledger.rules import check_balanced, owner, region_fund_owner
from gongji.members.models import Member
from gongji.members.rules import mask_id_number
from gongji.pii import ID_NUMBER, blind_index
from gongji.transactions import unit_of_work

BATCH = 1000


class CreditFileRejected(Exception):
    """Bad lines: nothing of the file was written."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"{len(errors)} bad line(s)")
        self.errors = errors


@dataclass(frozen=True)
class CreditImport:
    credited: int  # lines written now
    already: int  # lines whose source reference was imported before, with the same content
    amount: int  # fen credited now


@dataclass(frozen=True)
class _Checked:
    line: CreditLine
    member: Member
    digest: str


async def _check(
    lines: Sequence[CreditLine], progress: Callable[[int], None]
) -> tuple[list[_Checked], int]:
    """Every line against the database: the member, and what its reference stood for before."""
    fresh: list[_Checked] = []
    errors: list[LineError] = []
    already = 0
    for batch in rules.chunks(lines, BATCH):
        indexes = [blind_index(line.id_number, ID_NUMBER) for line in batch]
        found = {
            m.id_number_index: m
            for m in await Member.filter(id_number_index__in=indexes).select_for_update()
        }
        before = dict(
            await Credit.filter(
                source_reference__in=[line.source_reference for line in batch]
            ).values_list("source_reference", "content_hash")
        )
        for line, index in zip(batch, indexes, strict=True):
            member = found.get(index)
            masked = mask_id_number(line.id_number)
            if member is None:
                errors.append(LineError(line.line, f"{masked}: not in the registry"))
                continue
            why = rules.refusal(member.insurance_type, member.status)
            if why is not None:
                errors.append(LineError(line.line, f"{masked}: {why}"))
                continue
            digest = rules.content_hash(index, line)
            earlier = before.get(line.source_reference)
            if earlier is None:
                fresh.append(_Checked(line, member, digest))
            elif earlier == digest:
                already += 1
            else:
                errors.append(
                    LineError(
                        line.line,
                        f"source_reference {line.source_reference} was imported before"
                        " with other content",
                    )
                )
        progress(len(batch))
    if errors:
        raise CreditFileRejected(errors)
    return fresh, already


async def _personal_accounts(
    batch: Sequence[_Checked], now: datetime
) -> dict[tuple[AccountKind, str], Account]:
    """The batch's personal accounts, locked; the missing ones created in one statement."""
    wanted = {
        (rules.account_kind_for(c.line.kind), owner("member", c.member.id))
        for c in batch
        if c.line.amount
    }
    kinds = [AccountKind.PERSONAL_CARRYOVER, AccountKind.PERSONAL_CURRENT]
    owners = list({who for _, who in wanted})

    async def load() -> dict[tuple[AccountKind, str], Account]:
        query = Account.filter(kind__in=kinds, owner__in=owners).select_for_update()
        return {(a.kind, a.owner): a for a in await query}

    accounts = await load()
    missing = wanted - accounts.keys()
    if missing:
        await Account.bulk_create(
            [
                Account(kind=kind, owner=who, created_at=now)
                for kind, who in sorted(missing, key=lambda m: (m[0].value, m[1]))
            ]
        )
        accounts = await load()
    return accounts


async def _write(batch: Sequence[_Checked], now: datetime) -> int:
    accounts = await _personal_accounts(batch, now)
    credited = [c for c in batch if c.line.amount]
    transaction_id: uuid.UUID | None = None
    if credited:
        by_region: dict[str, int] = defaultdict(int)
        movements: list[tuple[Account, int]] = []
        for c in credited:
            account = accounts[(rules.account_kind_for(c.line.kind), owner("member", c.member.id))]
            movements.append((account, c.line.amount))
            by_region[c.member.insured_region] += c.line.amount
        funds = [
            (
                await ledger.account(
                    AccountKind.CONTRIBUTIONS,
                    region_fund_owner(region),
                    now=now,
                    allow_negative=True,
                ),
                -total,
            )
            for region, total in sorted(by_region.items())
        ]
        check_balanced([amount for _, amount in movements + funds])
        first, last = credited[0].line.source_reference, credited[-1].line.source_reference
        transaction = await LedgerTransaction.create(
            kind="credit",
            reference=f"credits:{uuid.uuid4()}",
            memo=f"个人账户划入 {len(credited)} lines, {first} … {last}"[:255],
            created_at=now,
        )
        transaction_id = transaction.id
        await Entry.bulk_create(
            [Entry(transaction=transaction, account=a, amount=n) for a, n in movements + funds]
        )
        for account, amount in movements:  # locked above: plain values are safe to write
            account.balance += amount
        await Account.bulk_update(list({a.id: a for a, _ in movements}.values()), ["balance"])
        for fund, amount in funds:
            await Account.filter(id=fund.id).update(balance=F("balance") + amount)
    await Credit.bulk_create(
        [
            Credit(
                source_reference=c.line.source_reference,
                member=c.member,
                kind=c.line.kind,
                period=c.line.period,
                amount=c.line.amount,
                content_hash=c.digest,
                ledger_transaction_id=transaction_id if c.line.amount else None,
                created_at=now,
            )
            for c in batch
        ]
    )
    return sum(c.line.amount for c in credited)


async def import_credits(
    lines: Sequence[CreditLine],
    *,
    now: datetime,
    by: str = "cli",
    progress: Callable[[int], None] = lambda _n: None,
) -> CreditImport:
    """Credit every line, or none. Lines already imported (same reference and content) are
    skipped; a reference reused with other content rejects the file. `progress` is told of
    each batch twice: checked, then written."""
    result = CreditImport(0, 0, 0)
    async for attempt in unit_of_work():
        async with attempt:
            fresh, already = await _check(lines, progress)
            amount = 0
            for batch in rules.chunks(fresh, BATCH):
                amount += await _write(batch, now)
                progress(len(batch))
            progress(len(lines) - len(fresh))
            await audit.record(
                at=now,
                actor_kind="operator",
                actor_id=by,
                action="credits.import",
                detail={"lines": len(lines), "credited": len(fresh), "fen": amount},
            )
            result = CreditImport(len(fresh), already, amount)
    return result
