"""Registry use cases: load a validated registry file in one transaction; re-seal personal data.

Lookups are in `members.queries`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from gongji import pii
from gongji.members.models import Member, id_number_in, personal_data
from gongji.members.registry import RegistryRow, chunks
from gongji.members.rules import sharing_ends
from gongji.transactions import unit_of_work
from gongji.wallets import service as wallets

CHUNK = 500


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
    async for attempt in unit_of_work():
        async with attempt:
            for batch in chunks(rows, CHUNK):
                known = {
                    m.id_number: m
                    for m in await Member.filter(**id_number_in([r.id_number for r in batch]))
                }
                fresh = [
                    Member(
                        name=r.name,
                        insurance_type=r.insurance_type,
                        insured_region=r.insured_region,
                        status=r.status,
                        **personal_data(id_number=r.id_number, phone=r.phone),
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
                        await wallets.end_authorizations(
                            member_id=member.id, now=now, by="registry"
                        )
                    member.name, member.insurance_type, member.insured_region = (
                        row.name,
                        row.insurance_type,
                        row.insured_region,
                    )
                    member.status = row.status
                    member.update_from_dict(
                        dict(personal_data(id_number=row.id_number, phone=row.phone))
                    )
                    await member.save()
                created += len(fresh)
                updated += len(batch) - len(fresh)
                progress(len(batch))
    return created, updated


async def rotate_keys(*, progress: Callable[[int], None] = lambda _n: None) -> tuple[int, int]:
    """Re-seal every ID number and phone under the current key and refresh the blind index.

    Idempotent: a member already sealed under the current key with a current index is left as
    it is. Each batch commits on its own, so an interrupted run keeps its work and the next run
    finishes it. A value that cannot be opened raises `pii.UnreadableValue` naming the member.
    Returns (members checked, members rewritten).
    """
    keys = pii.keyring()
    checked = rewritten = 0
    after: uuid.UUID | None = None
    while True:
        async for attempt in unit_of_work():
            async with attempt:
                query = Member.filter(id__gt=after) if after is not None else Member.all()
                batch = await query.order_by("id").limit(CHUNK).select_for_update()
                for member in batch:
                    try:
                        if _sealed_under_old_keys(member, keys):
                            await Member.filter(id=member.id).update(
                                **personal_data(id_number=member.id_number, phone=member.phone)
                            )
                            rewritten += 1
                    except pii.UnreadableValue as error:
                        raise pii.UnreadableValue(f"member {member.id}: {error}") from None
        checked += len(batch)
        progress(len(batch))
        if len(batch) < CHUNK:
            return checked, rewritten
        after = batch[-1].id


def _sealed_under_old_keys(member: Member, keys: pii.Keyring) -> bool:
    sealed = [member.id_number_sealed] + ([member.phone_sealed] if member.phone_sealed else [])
    return any(pii.key_id(value) != keys.current for value in sealed) or (
        member.id_number_index != keys.blind_index(member.id_number, pii.ID_NUMBER)
    )
