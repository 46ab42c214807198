"""The service hall acts for the elderly (seed 001, #10.4): an agent in their own region, with
a reason, after verifying the member in person, does what the member could do in the app."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gongji.audit.models import AuditEntry
from gongji.clock import FixedClock
from gongji.demo import AGENT_PASSWORD, AGENT_USERNAME
from gongji.families.models import FamilyGroup, Invitation, Membership
from gongji.hall.rules import HALL_VERIFICATION_TTL
from gongji.identity.rules import AgentScope
from gongji.members.models import Member
from gongji.wallets.models import Authorization
from tests.conftest import Api, agent_login, agent_token, nodes, person

pytestmark = pytest.mark.usefixtures("reconciled")

REASON = "老人到厅办理家庭共济，本人在场"
START = """mutation($n:String!,$i:String!,$r:String!){
  hallStartFaceVerification(name:$n, idNumber:$i, reason:$r){
    verifyId expiresAt member { name idNumber } errors { code field } } }"""
AUTHORIZE = """mutation($v:String!,$r:String!,$rel:ID!,$q:Money!){
  hallAuthorizeFamilyMember(verifyId:$v, reason:$r, relativeId:$rel, quota:$q){
    authorization { id quota atServiceHall authorizer { name } relative { name } }
    errors { code field } } }"""
CHANGE = """mutation($v:String!,$r:String!,$a:ID!,$q:Money!){
  hallChangeAuthorization(verifyId:$v, reason:$r, authorizationId:$a, quota:$q){
    authorization { quota } errors { code } } }"""
REVOKE = """mutation($v:String!,$r:String!,$a:ID!){
  hallRevokeAuthorization(verifyId:$v, reason:$r, authorizationId:$a){
    authorization { status } errors { code } } }"""
CREATE = """mutation($v:String!,$r:String!,$c:String!){
  hallCreateFamilyGroup(verifyId:$v, reason:$r,
    input:{name:"李娜的家", acceptCommitment:true, commitmentVersion:$c}){
    group { id name members { person { name } } } errors { code } } }"""
INVITE = """mutation($v:String!,$r:String!,$i:InviteFamilyMemberInput!){
  hallInviteFamilyMember(verifyId:$v, reason:$r, input:$i){
    invitation { id status atServiceHall noticeVersion requiresFaceVerification }
    errors { code field } } }"""
ACCEPT = """mutation($v:String!,$r:String!,$i:ID!){
  hallAcceptInvitation(verifyId:$v, reason:$r, invitationId:$i){
    group { members { person { name } relationship } } errors { code } } }"""
WINDOW = """query($v:String!,$r:String!){ hallWindow(verifyId:$v, reason:$r){
  member { name idNumber }
  wallet { available reserved personalAccount { total } }
  familyGroups { id members { person { id name } } }
  authorizationsGranted { edges { node { id quota } } }
  usageRecords { totalCount edges { node { kind amount } } } } }"""
HISTORY = """query { authorizationsGranted { edges { node {
  history { totalCount edges { node { kind actorKind member { name } quota } } } } } } }"""


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def lanzhou_agent(api: Api) -> str:
    """The demo agent: Lanzhou (620100), city scope."""
    return await agent_login(api, AGENT_USERNAME, AGENT_PASSWORD)


async def verify(api: Api, agent: str, name: str, *, passed: bool = True) -> str:
    """The agent starts a verification for `name`, and the member passes (or fails) the camera
    at the agent's window."""
    who = person(name)
    data = await api.data(START, {"n": who.name, "i": who.id_number, "r": REASON}, token=agent)
    started = data["hallStartFaceVerification"]
    assert started["errors"] == [], started
    assert started["member"]["idNumber"] != who.id_number  # masked
    response = await api.http.post(
        f"/mock/wechat/face/{started['verifyId']}",
        params={"result": "pass" if passed else "fail"},
        headers={"Authorization": f"Bearer {agent}"},
    )
    assert response.status_code == 200, response.text
    verify_id: str = started["verifyId"]
    return verify_id


async def member_uuid(name: str) -> str:
    found = await Member.get(name=name)
    return str(found.id)


async def authorize_mother(api: Api, agent: str, verify_id: str, reason: str = REASON) -> Any:
    variables = {"v": verify_id, "r": reason, "rel": await member_uuid("王秀英"), "q": "500.00"}
    return (await api.data(AUTHORIZE, variables, token=agent))["hallAuthorizeFamilyMember"]


async def test_at_the_window_the_agent_authorizes_changes_and_revokes_for_the_member(
    api: Api,
) -> None:
    agent = await lanzhou_agent(api)
    verify_id = await verify(api, agent, "张伟")
    granted = await authorize_mother(api, agent, verify_id)
    assert granted["errors"] == []
    auth = granted["authorization"]
    assert (auth["quota"], auth["atServiceHall"]) == ("500.00", True)
    assert (auth["authorizer"]["name"], auth["relative"]["name"]) == ("张伟", "王秀英")

    changed = await api.data(
        CHANGE, {"v": verify_id, "r": REASON, "a": auth["id"], "q": "300.00"}, token=agent
    )
    assert changed["hallChangeAuthorization"] == {
        "authorization": {"quota": "300.00"},
        "errors": [],
    }
    revoked = await api.data(REVOKE, {"v": verify_id, "r": REASON, "a": auth["id"]}, token=agent)
    assert revoked["hallRevokeAuthorization"]["authorization"]["status"] == "REVOKED"

    # both the agent and the member are on record: the audit and the act itself
    zhang = await member_uuid("张伟")
    row = await Authorization.get(id=auth["id"])
    assert row.agent_id is not None and row.ended_by == f"agent:{row.agent_id}"
    entries = await AuditEntry.filter(subject_id=auth["id"]).order_by("id")
    assert [e.action for e in entries] == [
        "authorization.grant",
        "authorization.change",
        "authorization.revoke",
    ]
    assert {(e.actor_kind, e.actor_id, e.on_behalf_of, e.reason) for e in entries} == {
        ("agent", str(row.agent_id), zhang, REASON)
    }
    # and the member sees it in the authorization's history, done for them at the hall
    history = await api.data(HISTORY, token=await api.login("demo-zhangwei"))
    events = nodes(nodes(history["authorizationsGranted"])[0]["history"])
    assert [(e["kind"], e["actorKind"], e["member"]["name"]) for e in events] == [
        ("REVOKED", "AGENT", "张伟"),
        ("QUOTA_CHANGED", "AGENT", "张伟"),
        ("CREATED", "AGENT", "张伟"),
    ]


async def test_an_elderly_person_creates_a_family_and_is_bound_at_the_window(api: Api) -> None:
    agent = await lanzhou_agent(api)
    lina = await verify(api, agent, "李娜")
    letter = await api.data("{ commitmentLetter { version } }")
    created = await api.data(
        CREATE,
        {"v": lina, "r": REASON, "c": letter["commitmentLetter"]["version"]},
        token=agent,
    )
    group = created["hallCreateFamilyGroup"]["group"]
    notice = await api.data("{ familyMemberNotice { version text } }")
    assert "家庭成员添加告知书" in notice["familyMemberNotice"]["text"]
    father = person("李建国")
    invited = await api.data(
        INVITE,
        {
            "v": lina,
            "r": REASON,
            "i": {
                "groupId": group["id"],
                "name": father.name,
                "idNumber": father.id_number,
                "relationship": "PARENT",
                "acceptNotice": True,
                "noticeVersion": notice["familyMemberNotice"]["version"],
            },
        },
        token=agent,
    )
    invitation = invited["hallInviteFamilyMember"]["invitation"]
    assert invitation["status"] == "PENDING" and invitation["requiresFaceVerification"]
    assert invitation["atServiceHall"] and invitation["noticeVersion"] == "2024.1"

    # the father, 75, has no phone: verified at the same window, he accepts there
    li = await verify(api, agent, "李建国")
    accepted = await api.data(ACCEPT, {"v": li, "r": REASON, "i": invitation["id"]}, token=agent)
    members = accepted["hallAcceptInvitation"]["group"]["members"]
    assert [(m["person"]["name"], m["relationship"]) for m in members] == [
        ("李娜", None),
        ("李建国", "PARENT"),
    ]
    assert (await FamilyGroup.get(id=group["id"])).agent_id is not None
    assert (await Invitation.get(id=invitation["id"])).decided_by_agent_id is not None
    joined = await Membership.get(group_id=group["id"], member__name="李建国")
    assert joined.agent_id is not None
    on_behalf = await AuditEntry.filter(action="family.accept").values_list(
        "actor_kind", "on_behalf_of"
    )
    assert on_behalf == [("agent", await member_uuid("李建国"))]


async def test_the_window_lookup_shows_balance_and_usage_and_is_audited(api: Api) -> None:
    agent = await lanzhou_agent(api)
    verify_id = await verify(api, agent, "张伟")
    data = await api.data(WINDOW, {"v": verify_id, "r": REASON}, token=agent)
    window = data["hallWindow"]
    assert window["member"]["name"] == "张伟" and "*" in window["member"]["idNumber"]
    assert window["wallet"]["available"] == "3000.00"
    assert window["usageRecords"]["totalCount"] == 1  # the demo's transfer into the wallet
    assert [m["person"]["name"] for m in window["familyGroups"][0]["members"]] == ["张伟", "王秀英"]
    read = await AuditEntry.get(action="hall.window_read")
    assert (read.actor_kind, read.on_behalf_of, read.reason) == (
        "agent",
        await member_uuid("张伟"),
        REASON,
    )


# --- the agent matrix: own region, other region, no reason, no or failed or old verification


async def test_an_agent_of_another_region_cannot_verify_or_act(api: Api) -> None:
    shenzhen = await agent_token(api, "shenzhen-hall", "440300")
    who = person("张伟")
    started = await api.data(
        START, {"n": who.name, "i": who.id_number, "r": REASON}, token=shenzhen
    )
    assert codes(started["hallStartFaceVerification"]) == ["AGENT_OUTSIDE_SCOPE"]
    # nor use a verification another agent started
    lanzhou_verification = await verify(api, await lanzhou_agent(api), "张伟")
    granted = await authorize_mother(api, shenzhen, lanzhou_verification)
    assert codes(granted) == ["HALL_VERIFICATION_REQUIRED"]
    assert not await Authorization.filter(agent_id__not_isnull=True).exists()


async def test_a_wider_scope_reaches_further(api: Api) -> None:
    gansu = await agent_token(api, "gansu-hall", "620500", scope=AgentScope.PROVINCE)
    verify_id = await verify(api, gansu, "张伟")  # Tianshui's office, province-wide
    assert (await authorize_mother(api, gansu, verify_id))["errors"] == []


@pytest.mark.parametrize(
    ("reason", "code"),
    [("", "AGENT_REASON_REQUIRED"), ("代办", "AGENT_REASON_TOO_SHORT")],
    ids=["no-reason", "too-short"],
)
async def test_every_act_needs_a_reason(api: Api, reason: str, code: str) -> None:
    agent = await lanzhou_agent(api)
    verify_id = await verify(api, agent, "张伟")
    assert codes(await authorize_mother(api, agent, verify_id, reason)) == [code]
    who = person("李娜")
    started = await api.data(START, {"n": who.name, "i": who.id_number, "r": reason}, token=agent)
    assert codes(started["hallStartFaceVerification"]) == [code]


async def test_no_verification_no_act(api: Api) -> None:
    agent = await lanzhou_agent(api)
    assert codes(await authorize_mother(api, agent, "mockverify-never-started")) == [
        "HALL_VERIFICATION_REQUIRED"
    ]
    window = await api(WINDOW, {"v": "mockverify-never-started", "r": REASON}, token=agent)
    assert window["errors"][0]["extensions"]["code"] == "HALL_VERIFICATION_REQUIRED"
    assert not await AuditEntry.filter(action="hall.window_read").exists()


async def test_a_failed_or_unfinished_verification_does_not_count(api: Api) -> None:
    agent = await lanzhou_agent(api)
    failed = await verify(api, agent, "张伟", passed=False)
    assert codes(await authorize_mother(api, agent, failed)) == ["FACE_VERIFICATION_FAILED"]
    who = person("张伟")
    data = await api.data(START, {"n": who.name, "i": who.id_number, "r": REASON}, token=agent)
    unfinished = data["hallStartFaceVerification"]["verifyId"]  # nobody stood at the camera
    assert codes(await authorize_mother(api, agent, unfinished)) == ["FACE_VERIFICATION_FAILED"]


async def test_a_verification_stands_for_the_visit_only(api: Api, clock: FixedClock) -> None:
    agent = await lanzhou_agent(api)
    verify_id = await verify(api, agent, "张伟")
    clock.advance(HALL_VERIFICATION_TTL + timedelta(seconds=1))
    assert codes(await authorize_mother(api, agent, verify_id)) == ["HALL_VERIFICATION_EXPIRED"]


async def test_members_and_institutions_cannot_use_the_hall(api: Api) -> None:
    zhang = await api.login("demo-zhangwei")
    who = person("张伟")
    started = await api.data(START, {"n": who.name, "i": who.id_number, "r": REASON}, token=zhang)
    assert codes(started["hallStartFaceVerification"]) == ["FORBIDDEN"]
    assert codes(await authorize_mother(api, zhang, "mockverify-x")) == ["FORBIDDEN"]
