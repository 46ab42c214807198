"""Races, for real: concurrent requests on PostgreSQL, then the invariants checked."""

from __future__ import annotations

import asyncio

import pytest
from stdnum.cn import ric

from gongji.families.models import Invitation, Membership
from gongji.families.rules import InvitationStatus, MembershipRole
from gongji.members.models import Member, personal_data
from gongji.members.rules import InsuranceType
from tests.conftest import Api, create_group, mini_program, person

pytestmark = [pytest.mark.concurrent, pytest.mark.usefixtures("demo_data")]

INVITE = mini_program("InviteFamilyMember")
ACCEPT = mini_program("AcceptInvitation")


def invitation(group: str, name: str, id_number: str, relationship: str) -> dict[str, object]:
    return {
        "input": {
            "groupId": group,
            "name": name,
            "idNumber": id_number,
            "relationship": relationship,
        }
    }


async def test_two_concurrent_accepts_leave_exactly_one_membership(api: Api) -> None:
    token = await api.login("demo-zhangwei")
    group = await create_group(api, token)
    li = person("李娜")
    data = await api.data(INVITE, invitation(group, li.name, li.id_number, "SPOUSE"), token=token)
    invited = data["inviteFamilyMember"]["invitation"]["id"]
    wife = await api.login("demo-lina")
    verifications = [
        await api.face_verify(wife, li.name, li.id_number, passed=True) for _ in range(2)
    ]
    results = await asyncio.gather(
        *(
            api.data(ACCEPT, {"invitationId": invited, "verifyId": v}, token=wife)
            for v in verifications
        )
    )
    errors = sorted(e["code"] for r in results for e in r["acceptInvitation"]["errors"])
    assert len(errors) == 1 and errors[0] in {"INVITATION_NOT_PENDING", "ALREADY_MEMBER"}
    assert await Membership.filter(group_id=group, role=MembershipRole.RELATIVE).count() == 1


async def test_identical_invitations_at_once_leave_one(api: Api) -> None:
    token = await api.login("demo-zhangwei")
    group = await create_group(api, token)
    li = person("李娜")
    variables = invitation(group, li.name, li.id_number, "SPOUSE")
    results = await asyncio.gather(*(api.data(INVITE, variables, token=token) for _ in range(10)))
    errors = [e["code"] for r in results for e in r["inviteFamilyMember"]["errors"]]
    assert errors == ["INVITATION_ALREADY_PENDING"] * 9
    assert await Invitation.filter(group_id=group, status=InvitationStatus.PENDING).count() == 1


async def test_binding_cap_holds_under_concurrent_invitations(api: Api) -> None:
    token = await api.login("demo-zhangwei")
    group = await create_group(api, token)
    invitees = []
    for seq in range(20):
        first17 = f"62010220000101{seq + 1:03d}"
        number = first17 + ric.calc_check_digit(first17 + "0")
        await Member.create(
            name=f"亲属{seq}",
            **personal_data(id_number=number, phone=""),
            insurance_type=InsuranceType.RESIDENT,
            insured_region="620100",
        )
        invitees.append(invitation(group, f"亲属{seq}", number, "CHILD"))
    results = await asyncio.gather(*(api.data(INVITE, v, token=token) for v in invitees))
    refused = [e["code"] for r in results for e in r["inviteFamilyMember"]["errors"]]
    # Gansu: 8 at once, and his mother (demo) is already one of them
    assert refused == ["BINDING_CAP_REACHED"] * 13
    pending = await Invitation.filter(group_id=group, status=InvitationStatus.PENDING).count()
    assert pending == 7
