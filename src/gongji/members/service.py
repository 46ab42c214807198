"""Registry use cases: re-seal personal data. Lookups: `members.queries`; the registry import:
`members.imports`."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from gongji import pii
from gongji.members.models import Member, personal_data
from gongji.transactions import unit_of_work

CHUNK = 500


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
