"""The read side of the registry: looking members up."""

from __future__ import annotations

from gongji.members.models import Member, id_number_is
from gongji.members.rules import normalize_id_number


async def find(
    id_number: str, *, name: str | None = None, field: str = "idNumber"
) -> Member | None:
    """The insured person with this ID number (validated first), if the name matches too."""
    member = await Member.get_or_none(**id_number_is(normalize_id_number(id_number, field=field)))
    if member is None or (name is not None and member.name != name.strip()):
        return None
    return member
