"""DataLoaders, one class per key, created fresh for every request."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from gongji.families.models import Membership
from gongji.families.service import memberships_of
from gongji.institutions.models import Institution
from gongji.members.models import Member
from gongji.records.models import UsageRecord


class MembershipsByGroupLoader(DataLoader[uuid.UUID, list[Membership]]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, group_ids: Sequence[uuid.UUID]) -> list[list[Membership]]:
        by_group: dict[uuid.UUID, list[Membership]] = defaultdict(list)
        for membership in await memberships_of(list(group_ids)):
            by_group[membership.group_id].append(membership)
        return [by_group[group_id] for group_id in group_ids]


class MemberByIdLoader(DataLoader[uuid.UUID, Member | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, ids: Sequence[uuid.UUID]) -> list[Member | None]:
        found = {m.id: m for m in await Member.filter(id__in=list(ids))}
        return [found.get(i) for i in ids]


class InstitutionByIdLoader(DataLoader[uuid.UUID, Institution | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, ids: Sequence[uuid.UUID]) -> list[Institution | None]:
        found = {i.id: i for i in await Institution.filter(id__in=list(ids))}
        return [found.get(i) for i in ids]


class Loaders:
    def __init__(self) -> None:
        self.memberships_by_group = MembershipsByGroupLoader()
        self.member_by_id = MemberByIdLoader()
        self.institution_by_id = InstitutionByIdLoader()

    async def parties_of(
        self, rows: list[UsageRecord]
    ) -> tuple[dict[uuid.UUID, Member], dict[uuid.UUID, Institution]]:
        """The people and institutions of a page of records: two queries, whatever its size."""
        member_ids = list({i for r in rows for i in (r.patient_id, r.authorizer_id) if i})
        institution_ids = list({r.institution_id for r in rows if r.institution_id})
        members = await self.member_by_id.load_many(member_ids)
        institutions = await self.institution_by_id.load_many(institution_ids)
        return (
            {i: m for i, m in zip(member_ids, members, strict=True) if m},
            {i: p for i, p in zip(institution_ids, institutions, strict=True) if p},
        )
