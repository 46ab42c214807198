"""The uniqueness the rules need is enforced by the database itself, not only by code."""

from __future__ import annotations

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gongji.families.models import FamilyGroup, Invitation, Membership
from gongji.families.rules import MembershipRole, Relationship, pending_slot
from gongji.identity.models import WechatUser
from gongji.members.models import Member, id_number_is, personal_data
from tests.conftest import START, person

pytestmark = pytest.mark.usefixtures("demo_data")


async def _group() -> tuple[FamilyGroup, Member, Member]:
    creator = await Member.get(**id_number_is(person("张伟").id_number))
    relative = await Member.get(**id_number_is(person("李娜").id_number))
    group = await FamilyGroup.create(
        name="g",
        creator=creator,
        commitment_version="2024.1",
        commitment_accepted_at=START,
        created_at=START,
    )
    return group, creator, relative


async def test_one_membership_per_person_per_group() -> None:
    group, creator, _ = await _group()
    await Membership.create(
        group=group, member=creator, role=MembershipRole.CREATOR, joined_at=START
    )
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await Membership.create(
                group=group, member=creator, role=MembershipRole.RELATIVE, joined_at=START
            )
    assert await Membership.filter(group=group).count() == 1


async def test_one_pending_invitation_per_invitee_per_group() -> None:
    group, creator, relative = await _group()
    fields = {
        "group": group,
        "inviter": creator,
        "invitee": relative,
        "relationship": Relationship.SPOUSE,
        "created_at": START,
        "expires_at": START,
    }
    await Invitation.create(**fields, pending_slot=pending_slot(group.id, relative.id))
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await Invitation.create(**fields, pending_slot=pending_slot(group.id, relative.id))
    # decided invitations (slot NULL) never collide
    await Invitation.create(**fields, pending_slot=None)
    await Invitation.create(**fields, pending_slot=None)
    assert await Invitation.filter(group=group).count() == 3


async def test_one_wechat_user_per_member() -> None:
    member = await Member.get(**id_number_is(person("张伟").id_number))  # linked by the demo data
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await WechatUser.create(openid="another", member=member, created_at=START)


async def test_id_numbers_are_unique() -> None:
    zhang = person("张伟")
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await Member.create(
                name="冒名",
                **personal_data(id_number=zhang.id_number, phone=""),
                insurance_type=zhang.insurance_type,
                insured_region="620100",
            )
