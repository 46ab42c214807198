"""DataLoaders, one class per key, created fresh for every request."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from gongji.families.models import Membership
from gongji.families.service import memberships_of


class MembershipsByGroupLoader(DataLoader[uuid.UUID, list[Membership]]):
    def __init__(self) -> None:
        super().__init__(load_fn=self._load)

    async def _load(self, group_ids: Sequence[uuid.UUID]) -> list[list[Membership]]:
        by_group: dict[uuid.UUID, list[Membership]] = defaultdict(list)
        for membership in await memberships_of(list(group_ids)):
            by_group[membership.group_id].append(membership)  # type: ignore[attr-defined]
        return [by_group[group_id] for group_id in group_ids]


class Loaders:
    def __init__(self) -> None:
        self.memberships_by_group = MembershipsByGroupLoader()
