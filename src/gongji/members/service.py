"""Registry use cases: load a validated registry file in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tortoise.transactions import in_transaction

from gongji.members.models import Member
from gongji.members.registry import RegistryRow, chunks
from gongji.members.rules import normalize_id_number, sharing_ends
from gongji.wallets import service as wallets

CHUNK = 500


async def find(
    id_number: str, *, name: str | None = None, field: str = "idNumber"
) -> Member | None:
    """The insured person with this ID number (validated first), if the name matches too."""
    member = await Member.get_or_none(id_number=normalize_id_number(id_number, field=field))
    if member is None or (name is not None and member.name != name.strip()):
        return None
    return member


async def import_rows(
    rows: list[RegistryRow],
    *,
    now: datetime,
    progress: Callable[[int], None] = lambda _n: None,
) -> tuple[int, int]:
    """Insert new members and update known ones (by ID number). All or nothing.

    A member whose insurance moved to another city or stopped being normal loses every
    authorization, given or received (R20), in the same transaction. Returns (created, updated).
    """
    created = updated = 0
    async with in_transaction():
        for batch in chunks(rows, CHUNK):
            known = {
                m.id_number: m
                for m in await Member.filter(id_number__in=[r.id_number for r in batch])
            }
            fresh = [
                Member(
                    name=r.name,
                    id_number=r.id_number,
                    insurance_type=r.insurance_type,
                    insured_region=r.insured_region,
                    status=r.status,
                    phone=r.phone,
                )
                for r in batch
                if r.id_number not in known
            ]
            await Member.bulk_create(fresh)
            for row in batch:
                member = known.get(row.id_number)
                if member is None:
                    continue
                if sharing_ends(
                    member.insured_region, member.status, row.insured_region, row.status
                ):
                    await wallets.end_authorizations(member_id=member.id, now=now, by="registry")
                member.name, member.insurance_type, member.insured_region = (
                    row.name,
                    row.insurance_type,
                    row.insured_region,
                )
                member.status, member.phone = row.status, row.phone
                await member.save()
            created += len(fresh)
            updated += len(batch) - len(fresh)
            progress(len(batch))
    return created, updated
