"""Every family mutation over HTTP: the success path and each rejection code (R2–R9)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from stdnum.cn import ric

from gongji.clock import FixedClock
from gongji.members.models import Member, id_number_is, personal_data
from gongji.members.rules import InsuranceStatus, InsuranceType
from tests.conftest import Api, agent_token, codes, create_group, nodes, person

pytestmark = pytest.mark.usefixtures("demo_data")

CREATE = """mutation($name:String!,$accept:Boolean!,$version:String!){
  createFamilyGroup(input:{name:$name,acceptCommitment:$accept,commitmentVersion:$version}){
    group{ id name commitmentVersion members{ role person{ name } } }
    errors{ code field rule } } }"""
INVITE = """mutation($g:ID!,$n:String!,$i:String!,$r:Relationship!){
  inviteFamilyMember(input:{groupId:$g,name:$n,idNumber:$i,relationship:$r}){
    invitation{ id status requiresFaceVerification inviteeIdNumber relationship }
    errors{ code field rule message } } }"""
ACCEPT = """mutation($id:ID!,$v:String){ acceptInvitation(invitationId:$id,verifyId:$v){
  group{ id members{ role relationship person{ name idNumber age } } }
  errors{ code field rule } } }"""
DECLINE = "mutation($id:ID!){declineInvitation(invitationId:$id){invitation{status} errors{code}}}"
REVOKE = "mutation($id:ID!){revokeInvitation(invitationId:$id){invitation{status} errors{code}}}"
LEAVE = "mutation($g:ID!){leaveFamilyGroup(groupId:$g){group{id} errors{code}}}"
REMOVE = (
    "mutation($g:ID!,$m:ID!){removeFamilyMember(groupId:$g,memberId:$m){group{id} errors{code}}}"
)
GROUPS = "{ myFamilyGroups { id name members { role relationship person { id name idNumber } } } }"
INVITATIONS = "{ myInvitations { edges { node { id status sentByMe groupName relationship } } } }"
BY_STATUS = """query($s: InvitationStatus) { myInvitations(status: $s) {
  totalCount edges { node { status } } } }"""
PAGED = """query($n: Int, $a: String) { myInvitations(first: $n, after: $a) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { status } } } }"""


async def invite(
    api: Api, token: str, group: str, name: str, relationship: str, **kw: Any
) -> dict[str, Any]:
    number = kw.get("id_number") or person(name).id_number
    data = await api.data(
        INVITE, {"g": group, "n": name, "i": number, "r": relationship}, token=token
    )
    result: dict[str, Any] = data["inviteFamilyMember"]
    return result


@pytest.fixture
async def zhang(api: Api) -> tuple[str, str]:
    token = await api.login("demo-zhangwei")
    return token, await create_group(api, token)


async def test_create_requires_the_current_commitment_letter_r6(api: Api) -> None:
    token = await api.login("demo-zhangwei")
    refused = await api.data(
        CREATE, {"name": "张家", "accept": False, "version": "2024.1"}, token=token
    )
    assert refused["createFamilyGroup"]["errors"] == [
        {"code": "COMMITMENT_NOT_ACCEPTED", "field": "acceptCommitment", "rule": "R6"}
    ]
    old = await api.data(CREATE, {"name": "张家", "accept": True, "version": "2020.1"}, token=token)
    assert codes(old["createFamilyGroup"]) == ["COMMITMENT_VERSION_OUTDATED"]
    letter = await api.data("{ commitmentLetter { version text } }")
    assert letter["commitmentLetter"]["version"] == "2024.1"
    assert "承诺书" in letter["commitmentLetter"]["text"]
    made = await api.data(
        CREATE, {"name": "张家", "accept": True, "version": "2024.1"}, token=token
    )
    group = made["createFamilyGroup"]["group"]
    assert group["commitmentVersion"] == "2024.1"
    assert group["members"] == [{"role": "CREATOR", "person": {"name": "张伟"}}]


async def test_unverified_user_cannot_create(api: Api) -> None:
    token = await api.login("demo-zhaomin")
    data = await api.data(
        CREATE, {"name": "赵家", "accept": True, "version": "2024.1"}, token=token
    )
    assert codes(data["createFamilyGroup"]) == ["IDENTITY_NOT_VERIFIED"]


async def test_spouse_parent_is_refused_with_its_own_code_r3(
    api: Api, zhang: tuple[str, str]
) -> None:
    token, group = zhang
    result = await invite(api, token, group, "李建国", "SPOUSE_PARENT")
    assert result["invitation"] is None
    assert result["errors"][0]["code"] == "RELATIONSHIP_IN_LAW_NOT_ALLOWED"
    assert result["errors"][0]["rule"] == "R3"
    assert "配偶的父母" in result["errors"][0]["message"]


async def test_sibling_refused_where_policy_was_core_only_r3(
    api: Api, zhang: tuple[str, str], clock: FixedClock
) -> None:
    token, group = zhang
    clock.at = clock.at.replace(year=2024, month=6)
    result = await invite(api, token, group, "李娜", "SIBLING")
    assert codes(result) == ["RELATIONSHIP_NOT_IN_REGION_SCOPE"]


async def test_under_16_joins_directly_r4(api: Api, zhang: tuple[str, str]) -> None:
    token, group = zhang
    result = await invite(api, token, group, "张小明", "CHILD")
    assert result["errors"] == []
    assert result["invitation"]["status"] == "ACCEPTED"
    assert result["invitation"]["requiresFaceVerification"] is False
    assert result["invitation"]["inviteeIdNumber"].count("*") == 8
    groups = (await api.data(GROUPS, token=token))["myFamilyGroups"]
    mine = next(g for g in groups if g["id"] == group)
    assert [m["person"]["name"] for m in mine["members"]] == ["张伟", "张小明"]


async def test_17_year_old_accepts_only_with_face_verification_r4(
    api: Api, zhang: tuple[str, str]
) -> None:
    token, group = zhang
    invitation = (await invite(api, token, group, "张晓雨", "CHILD"))["invitation"]
    assert invitation["status"] == "PENDING"
    assert invitation["requiresFaceVerification"] is True
    teen = await api.login("demo-zhangxiaoyu")
    missing = await api.data(ACCEPT, {"id": invitation["id"]}, token=teen)
    assert missing["acceptInvitation"]["errors"] == [
        {"code": "FACE_VERIFICATION_REQUIRED", "field": "verifyId", "rule": "R4"}
    ]
    xiaoyu = person("张晓雨")
    failed = await api.face_verify(teen, xiaoyu.name, xiaoyu.id_number, passed=False)
    refused = await api.data(ACCEPT, {"id": invitation["id"], "v": failed}, token=teen)
    assert codes(refused["acceptInvitation"]) == ["FACE_VERIFICATION_FAILED"]
    passed = await api.face_verify(teen, xiaoyu.name, xiaoyu.id_number, passed=True)
    joined = await api.data(ACCEPT, {"id": invitation["id"], "v": passed}, token=teen)
    assert joined["acceptInvitation"]["errors"] == []
    members = joined["acceptInvitation"]["group"]["members"]
    assert {m["person"]["name"]: m["relationship"] for m in members} == {
        "张伟": None,
        "张晓雨": "CHILD",
    }
    again = await api.data(ACCEPT, {"id": invitation["id"], "v": passed}, token=teen)
    assert codes(again["acceptInvitation"]) == ["INVITATION_NOT_PENDING"]


async def test_members_see_each_other_masked_r8(api: Api, zhang: tuple[str, str]) -> None:
    token, group = zhang
    invitation = (await invite(api, token, group, "李娜", "SPOUSE"))["invitation"]
    wife = await api.login("demo-lina")
    li = person("李娜")
    verify = await api.face_verify(wife, li.name, li.id_number, passed=True)
    await api.data(ACCEPT, {"id": invitation["id"], "v": verify}, token=wife)
    seen = (await api.data(GROUPS, token=wife))["myFamilyGroups"][0]["members"]
    zhang_seen = next(m for m in seen if m["person"]["name"] == "张伟")
    assert (
        zhang_seen["person"]["idNumber"]
        == person("张伟").id_number[:6] + "********" + person("张伟").id_number[-4:]
    )
    outsider = await api.login("demo-aili")
    assert [g["name"] for g in (await api.data(GROUPS, token=outsider))["myFamilyGroups"]] == [
        "艾力的家"
    ]


@pytest.mark.parametrize(
    ("name", "id_number", "relationship", "code"),
    [
        ("无此人", "11010519491231002X", "PARENT", "INVITEE_NOT_INSURED"),
        ("李某", None, "SPOUSE", "INVITEE_NOT_INSURED"),  # name does not match the ID number
        ("张伟", None, "SPOUSE", "INVITEE_IS_SELF"),
        ("张小明", None, "PARENT", "RELATIONSHIP_AGE_IMPLAUSIBLE"),
        ("李娜", "620103197808220221", "SPOUSE", "INVALID_ID_NUMBER"),
    ],
)
async def test_invitation_rejections(
    api: Api, zhang: tuple[str, str], name: str, id_number: str | None, relationship: str, code: str
) -> None:
    token, group = zhang
    number = id_number or person("李娜" if name == "李某" else name).id_number
    result = await invite(api, token, group, name, relationship, id_number=number)
    assert codes(result) == [code]


async def test_invitee_must_be_insured_with_normal_status_r2(
    api: Api, zhang: tuple[str, str]
) -> None:
    token, group = zhang
    li = id_number_is(person("李娜").id_number)
    await Member.filter(**li).update(status=InsuranceStatus.SUSPENDED)
    assert codes(await invite(api, token, group, "李娜", "SPOUSE")) == ["INVITEE_NOT_ACTIVE"]


async def test_duplicate_pending_invitation_and_existing_member_r7(
    api: Api, zhang: tuple[str, str]
) -> None:
    token, group = zhang
    assert codes(await invite(api, token, group, "李娜", "SPOUSE")) == []
    assert codes(await invite(api, token, group, "李娜", "SPOUSE")) == [
        "INVITATION_ALREADY_PENDING"
    ]
    assert codes(await invite(api, token, group, "张小明", "CHILD")) == []
    assert codes(await invite(api, token, group, "张小明", "CHILD")) == ["ALREADY_MEMBER"]


async def test_only_the_creator_invites(api: Api, zhang: tuple[str, str]) -> None:
    _token, group = zhang
    other = await api.login("demo-lina")
    result = await invite(api, other, group, "张小明", "CHILD")
    assert codes(result) == ["NOT_GROUP_CREATOR"]


async def test_binding_cap_at_once_r5(api: Api, zhang: tuple[str, str]) -> None:
    token, group = zhang  # Lanzhou (Gansu): 8 at once; his mother is bound already (demo)
    for seq in range(7):
        first17 = f"62010220000101{seq + 1:03d}"
        number = first17 + ric.calc_check_digit(first17 + "0")
        await Member.create(
            name=f"亲属{seq}",
            **personal_data(id_number=number, phone=""),
            insurance_type=InsuranceType.RESIDENT,
            insured_region="620100",
        )
        result = await invite(api, token, group, f"亲属{seq}", "CHILD", id_number=number)
        assert codes(result) == []
    result = await invite(api, token, group, "李娜", "SPOUSE")
    assert codes(result) == ["BINDING_CAP_REACHED"]
    assert "8" in result["errors"][0]["message"]


async def test_invitation_expires_after_policy_days_r7(
    api: Api, zhang: tuple[str, str], clock: FixedClock
) -> None:
    token, group = zhang
    invitation = (await invite(api, token, group, "李娜", "SPOUSE"))["invitation"]
    clock.advance(timedelta(days=7))
    wife = await api.login("demo-lina")
    seen = nodes((await api.data(INVITATIONS, token=wife))["myInvitations"])
    assert seen[0]["status"] == "EXPIRED"
    for status, count in [("EXPIRED", 1), ("PENDING", 0)]:
        shown = await api.data(BY_STATUS, {"s": status}, token=wife)
        assert shown["myInvitations"]["totalCount"] == count, status
    late = await api.data(ACCEPT, {"id": invitation["id"], "v": "x"}, token=wife)
    assert codes(late["acceptInvitation"]) == ["INVITATION_EXPIRED"]
    token = await api.login("demo-zhangwei")  # sessions last 7 days too
    assert codes(await invite(api, token, group, "李娜", "SPOUSE")) == []  # may invite again


async def test_decline_and_revoke(api: Api, zhang: tuple[str, str], clock: FixedClock) -> None:
    token, group = zhang
    first = (await invite(api, token, group, "李娜", "SPOUSE"))["invitation"]
    wife = await api.login("demo-lina")
    assert codes((await api.data(REVOKE, {"id": first["id"]}, token=wife))["revokeInvitation"]) == [
        "NOT_GROUP_CREATOR"
    ]
    assert codes(
        (await api.data(DECLINE, {"id": first["id"]}, token=token))["declineInvitation"]
    ) == ["NOT_INVITEE"]
    declined = await api.data(DECLINE, {"id": first["id"]}, token=wife)
    assert declined["declineInvitation"] == {"invitation": {"status": "DECLINED"}, "errors": []}
    clock.advance(timedelta(minutes=1))
    second = (await invite(api, token, group, "李娜", "SPOUSE"))["invitation"]
    revoked = await api.data(REVOKE, {"id": second["id"]}, token=token)
    assert revoked["revokeInvitation"] == {"invitation": {"status": "REVOKED"}, "errors": []}
    seen = nodes((await api.data(INVITATIONS, token=wife))["myInvitations"])
    assert [(i["status"], i["sentByMe"]) for i in seen] == [("REVOKED", False), ("DECLINED", False)]
    first = (await api.data(PAGED, {"n": 1}, token=wife))["myInvitations"]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (2, True)
    rest = await api.data(PAGED, {"n": 1, "a": first["pageInfo"]["endCursor"]}, token=wife)
    assert [n["status"] for n in nodes(rest["myInvitations"])] == ["DECLINED"]
    declined = await api.data(BY_STATUS, {"s": "DECLINED"}, token=wife)
    assert [n["status"] for n in nodes(declined["myInvitations"])] == ["DECLINED"]
    bad_id = await api.data(DECLINE, {"id": "not-a-uuid"}, token=wife)
    assert codes(bad_id["declineInvitation"]) == ["INVALID_INPUT"]


async def test_leave_remove_and_dissolve_r9(api: Api, zhang: tuple[str, str]) -> None:
    token, group = zhang
    await invite(api, token, group, "张小明", "CHILD")
    groups = (await api.data(GROUPS, token=token))["myFamilyGroups"]
    members = next(g for g in groups if g["id"] == group)["members"]
    creator_id = next(m["person"]["id"] for m in members if m["role"] == "CREATOR")
    child_id = next(m["person"]["id"] for m in members if m["role"] == "RELATIVE")
    self_removal = await api.data(REMOVE, {"g": group, "m": creator_id}, token=token)
    assert codes(self_removal["removeFamilyMember"]) == ["CANNOT_REMOVE_CREATOR"]
    assert (
        codes(
            (await api.data(REMOVE, {"g": group, "m": child_id}, token=token))["removeFamilyMember"]
        )
        == []
    )
    again = await api.data(REMOVE, {"g": group, "m": child_id}, token=token)
    assert codes(again["removeFamilyMember"]) == ["NOT_GROUP_MEMBER"]
    await invite(api, token, group, "张小明", "CHILD")  # rejoins the same group
    child = await api.login("demo-zhangxiaoming")
    assert codes((await api.data(LEAVE, {"g": group}, token=child))["leaveFamilyGroup"]) == []
    assert (await api.data(GROUPS, token=child))["myFamilyGroups"] == []
    assert codes((await api.data(LEAVE, {"g": group}, token=token))["leaveFamilyGroup"]) == []
    remaining = (await api.data(GROUPS, token=token))["myFamilyGroups"]
    assert [g["name"] for g in remaining] == ["张伟的家"]
    gone = await invite(api, token, group, "李娜", "SPOUSE")
    assert codes(gone) == ["GROUP_NOT_ACTIVE"]


async def test_agent_unbinds_with_a_reason_and_is_audited(api: Api) -> None:
    from gongji.audit.models import AuditEntry

    agent = await agent_token(api, "urumqi-01", "650100")  # the family's city
    aili = await api.login("demo-aili")
    group = (await api.data(GROUPS, token=aili))["myFamilyGroups"][0]["id"]
    unbind = """mutation($g:ID!,$i:String!,$r:String!){
      agentUnbindFamilyMember(groupId:$g,idNumber:$i,reason:$r){ errors{ code } } }"""
    variables = {"g": group, "i": person("古丽").id_number, "r": ""}
    reason = "本人到厅申请解除家庭共济绑定"
    no_reason = await api.data(unbind, variables, token=agent)
    assert codes(no_reason["agentUnbindFamilyMember"]) == ["AGENT_REASON_REQUIRED"]
    member = await api.data(unbind, {**variables, "r": reason}, token=aili)
    assert codes(member["agentUnbindFamilyMember"]) == ["FORBIDDEN"]
    done = await api.data(unbind, {**variables, "r": reason}, token=agent)
    assert codes(done["agentUnbindFamilyMember"]) == []
    names = [
        m["person"]["name"]
        for m in (await api.data(GROUPS, token=aili))["myFamilyGroups"][0]["members"]
    ]
    assert "古丽" not in names
    entry = await AuditEntry.get(action="family.agent_unbind")
    assert entry.reason == reason and entry.actor_kind == "agent"
