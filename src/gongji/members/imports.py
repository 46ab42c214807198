"""The registry import 参保人名册: one validated file in one transaction, with R20's life events.

Kept apart from `members.service` because it reaches into `gongji.lifecycle` (families,
wallets, the ledger).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from gongji import pii
from gongji.lifecycle import service as lifecycle
from gongji.lifecycle.rules import moved_city
from gongji.members.models import Member, id_number_in, personal_data
from gongji.members.registry import RegistryRow, chunks
from gongji.members.rules import InsuranceStatus, sharing_ends
from gongji.members.service import CHUNK
from gongji.regions.policy import PolicyBook
from gongji.transactions import unit_of_work
from gongji.wallets import service as wallets


async def import_rows(
    rows: list[RegistryRow],
    *,
    now: datetime,
    policies: PolicyBook | None = None,
    progress: Callable[[int], None] = lambda _n: None,
) -> tuple[int, int]:
    """Insert new members and update known ones (by ID number). All or nothing.

    R20's life events happen in the same transaction: a member who died (status `deceased`)
    or moved to another city goes through `gongji.lifecycle`; one whose insurance stopped
    being normal loses every authorization, given or received. Shares of an estate held for
    an heir are paid once the heir is registered. Returns (created, updated).
    """
    policies = policies or PolicyBook.load()
    created = updated = 0
    async for attempt in unit_of_work():
        async with attempt:
            for batch in chunks(rows, CHUNK):
                known = {
                    m.id_number: m
                    for m in await Member.filter(
                        **id_number_in([r.id_number for r in batch])
                    ).select_for_update()
                }
                fresh = [
                    Member(
                        name=r.name,
                        insurance_type=r.insurance_type,
                        insured_region=r.insured_region,
                        status=r.status,
                        **_pool(r, now),
                        **personal_data(id_number=r.id_number, phone=r.phone),
                    )
                    for r in batch
                    if r.id_number not in known
                ]
                await Member.bulk_create(fresh)
                for row in batch:
                    member = known.get(row.id_number)
                    if member is not None:
                        await _update(member, row, now, policies)
                await lifecycle.settle_held_shares(
                    [pii.blind_index(r.id_number, pii.ID_NUMBER) for r in batch],
                    now=now,
                    by="registry",
                )
                created += len(fresh)
                updated += len(batch) - len(fresh)
                progress(len(batch))
    return created, updated


def _pool(row: RegistryRow, now: datetime) -> dict[str, object]:
    supplied = row.outpatient_pool_balance is not None
    return {
        "outpatient_pool_balance": row.outpatient_pool_balance,
        "outpatient_pool_as_of": now if supplied else None,
    }


async def _update(member: Member, row: RegistryRow, now: datetime, policies: PolicyBook) -> None:
    old_region, old_status = member.insured_region, member.status
    member.name, member.insurance_type, member.insured_region = (
        row.name,
        row.insurance_type,
        row.insured_region,
    )
    member.status = row.status
    member.update_from_dict(
        {**personal_data(id_number=row.id_number, phone=row.phone), **_pool(row, now)}
    )
    await member.save()
    died = row.status is InsuranceStatus.DECEASED and old_status is not InsuranceStatus.DECEASED
    if died:
        await lifecycle.member_died(member, now=now, by="registry")
    elif moved_city(old_region, row.insured_region):
        await lifecycle.member_moved(member, old_region, policies=policies, now=now, by="registry")
    elif sharing_ends(old_region, old_status, row.insured_region, row.status):
        await wallets.end_authorizations(member_id=member.id, now=now, by="registry")
