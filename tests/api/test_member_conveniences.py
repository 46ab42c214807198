"""What the mini-program needs to offer only what a member can do: canInvite, own-face start."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, person

pytestmark = pytest.mark.usefixtures("demo_data")

GROUPS = "{ myFamilyGroups { id name canInvite } }"
START_OWN = "mutation { startFaceVerification { verifyId errors { code field } } }"
INVITE = """mutation($i:InviteFamilyMemberInput!){ inviteFamilyMember(input:$i){
  invitation { id status requiresFaceVerification } errors { code } } }"""
ACCEPT = """mutation($i:ID!,$v:String){ acceptInvitation(invitationId:$i, verifyId:$v){
  group { name } errors { code } } }"""


async def test_only_the_creator_may_invite_r6(api: Api) -> None:
    zhang = await api.login("demo-zhangwei")
    mother = await api.login("demo-wangxiuying")
    assert [
        (g["name"], g["canInvite"]) for g in (await api.data(GROUPS, token=zhang))["myFamilyGroups"]
    ] == [("张伟的家", True)]
    assert [
        (g["name"], g["canInvite"])
        for g in (await api.data(GROUPS, token=mother))["myFamilyGroups"]
    ] == [("张伟的家", False)]


async def test_a_verified_invitee_verifies_her_own_face_without_retyping_r4(api: Api) -> None:
    zhang = await api.login("demo-zhangwei")
    group = (await api.data(GROUPS, token=zhang))["myFamilyGroups"][0]["id"]
    lina = person("李娜")
    invited = await api.data(
        INVITE,
        {
            "i": {
                "groupId": group,
                "name": lina.name,
                "idNumber": lina.id_number,
                "relationship": "SPOUSE",
            }
        },
        token=zhang,
    )
    invitation = invited["inviteFamilyMember"]["invitation"]
    assert invitation["requiresFaceVerification"]
    her = await api.login("demo-lina")
    started = (await api.data(START_OWN, token=her))["startFaceVerification"]
    assert started["errors"] == []
    scanned = await api.http.post(
        f"/mock/wechat/face/{started['verifyId']}",
        params={"result": "pass"},
        headers={"Authorization": f"Bearer {her}"},
    )
    assert scanned.status_code == 200
    accepted = await api.data(ACCEPT, {"i": invitation["id"], "v": started["verifyId"]}, token=her)
    assert accepted["acceptInvitation"] == {"group": {"name": "张伟的家"}, "errors": []}


async def test_an_unverified_user_must_say_who_they_are(api: Api) -> None:
    stranger = await api.login("mock-someone")
    started = (await api.data(START_OWN, token=stranger))["startFaceVerification"]
    assert started["verifyId"] is None
    assert started["errors"][0]["field"] == "idNumber"


async def test_whom_a_member_may_authorize_is_marked_r1_r3(api: Api) -> None:
    query = "{ myFamilyGroups { members { authorizable person { name } } } }"
    zhang = await api.login("demo-zhangwei")
    mother = await api.login("demo-wangxiuying")

    def marks(data: Any) -> dict[str, bool]:
        members = data["myFamilyGroups"][0]["members"]
        return {m["person"]["name"]: m["authorizable"] for m in members}

    assert marks(await api.data(query, token=zhang)) == {"张伟": False, "王秀英": True}
    # resident-insured: no personal account to share (R1)
    assert marks(await api.data(query, token=mother)) == {"张伟": False, "王秀英": False}
