"""Service-hall agents act within their office's scope, with a reason of a sentence (#9.8)."""

from __future__ import annotations

from typing import Any

import pytest

from gongji.audit.models import AuditEntry
from gongji.demo import AGENT_PASSWORD, AGENT_USERNAME
from gongji.families.models import Membership
from gongji.identity.rules import AgentScope
from tests.conftest import Api, agent_token, person

pytestmark = pytest.mark.usefixtures("demo_data")

GROUPS = "{ myFamilyGroups { id } }"
UNBIND = """mutation($g:ID!,$i:String!,$r:String!){
  agentUnbindFamilyMember(groupId:$g,idNumber:$i,reason:$r){ errors{ code field message } } }"""
AUDIT = """query($i:String!,$r:String!){ auditUsageRecords(idNumber:$i, reason:$r){
  totalCount } }"""
REASON = "本人到厅申请解除家庭共济绑定"


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def unbind(api: Api, agent: str, login: str, name: str, reason: str = REASON) -> list[str]:
    member = await api.login(login)
    group = (await api.data(GROUPS, token=member))["myFamilyGroups"][0]["id"]
    variables = {"g": group, "i": person(name).id_number, "r": reason}
    return codes((await api.data(UNBIND, variables, token=agent))["agentUnbindFamilyMember"])


async def demo_agent(api: Api) -> str:
    """The demo agent: Lanzhou (620100), city scope."""
    data = await api.data(
        "mutation($u:String!,$p:String!){agentLogin(username:$u,password:$p){token}}",
        {"u": AGENT_USERNAME, "p": AGENT_PASSWORD},
    )
    token: str = data["agentLogin"]["token"]
    return token


async def test_an_agent_cannot_unbind_in_another_region(api: Api) -> None:
    lanzhou = await demo_agent(api)
    assert await unbind(api, lanzhou, "demo-aili", "古丽") == ["AGENT_OUTSIDE_SCOPE"]
    assert await Membership.filter(member__name="古丽", active=True).count() == 1
    assert not await AuditEntry.filter(action="family.agent_unbind").exists()


@pytest.mark.parametrize(
    ("region", "scope"),
    [
        ("650102", AgentScope.CITY),  # a district office of Urumqi itself
        ("650200", AgentScope.PROVINCE),  # Karamay, province-wide
        ("620100", AgentScope.NATIONWIDE),  # Lanzhou, nationwide
    ],
    ids=["own-city", "province", "nationwide"],
)
async def test_own_region_or_a_wider_scope_may_unbind(
    api: Api, region: str, scope: AgentScope
) -> None:
    agent = await agent_token(api, "hall-x", region, scope)
    assert await unbind(api, agent, "demo-aili", "古丽") == []


async def test_the_family_or_the_leaving_member_brings_an_unbinding_in_scope(api: Api) -> None:
    # 张伟's family is in Lanzhou; his mother 王秀英 is insured in Zhengzhou
    shenzhen = await agent_token(api, "shenzhen-01", "440300")
    assert await unbind(api, shenzhen, "demo-zhangwei", "王秀英") == ["AGENT_OUTSIDE_SCOPE"]
    zhengzhou = await agent_token(api, "zhengzhou-01", "410100")
    assert await unbind(api, zhengzhou, "demo-zhangwei", "王秀英") == []


@pytest.mark.parametrize(
    "reason", ["解绑", "  本人申请  ", "解绑！！！！！！！！！！！", "ok ok ok"]
)
async def test_an_unbinding_needs_a_reason_of_a_sentence(api: Api, reason: str) -> None:
    agent = await agent_token(api, "urumqi-01", "650100")
    assert await unbind(api, agent, "demo-aili", "古丽", reason) == ["AGENT_REASON_TOO_SHORT"]
    assert await Membership.filter(member__name="古丽", active=True).count() == 1


async def test_the_short_reason_error_says_how_long(api: Api) -> None:
    agent = await agent_token(api, "urumqi-01", "650100")
    member = await api.login("demo-aili")
    group = (await api.data(GROUPS, token=member))["myFamilyGroups"][0]["id"]
    variables = {"g": group, "i": person("古丽").id_number, "r": "解绑"}
    data = await api.data(UNBIND, variables, token=agent, language="en")
    [error] = data["agentUnbindFamilyMember"]["errors"]
    assert error["field"] == "reason" and "at least 10 letters" in error["message"]


async def audit(
    api: Api, agent: str, name: str, reason: str = "疑似套取医保基金，调阅记录核查"
) -> list[str]:
    """The codes of the audit's refusal (top-level errors), or [] when it was read."""
    variables = {"i": person(name).id_number, "r": reason}
    body = await api(AUDIT, variables, token=agent)
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_an_agent_cannot_audit_a_member_insured_elsewhere(api: Api) -> None:
    lanzhou = await demo_agent(api)
    assert await audit(api, lanzhou, "王秀英") == ["AGENT_OUTSIDE_SCOPE"]  # Zhengzhou
    assert not await AuditEntry.filter(action="records.audit_read").exists()
    assert await audit(api, lanzhou, "张伟") == []  # Lanzhou


@pytest.mark.parametrize(
    ("region", "scope"),
    [
        ("410100", AgentScope.CITY),
        ("410300", AgentScope.PROVINCE),
        ("650100", AgentScope.NATIONWIDE),
    ],
    ids=["own-city", "province", "nationwide"],
)
async def test_own_region_or_a_wider_scope_may_audit(
    api: Api, region: str, scope: AgentScope
) -> None:
    agent = await agent_token(api, "hall-y", region, scope)
    assert await audit(api, agent, "王秀英") == []
    assert await AuditEntry.filter(action="records.audit_read").count() == 1


async def test_an_audit_needs_a_reason_of_a_sentence(api: Api) -> None:
    agent = await agent_token(api, "zhengzhou-01", "410100")
    assert await audit(api, agent, "王秀英", "核查") == ["AGENT_REASON_TOO_SHORT"]
    assert await audit(api, agent, "王秀英", "") == ["AGENT_REASON_REQUIRED"]
    assert not await AuditEntry.filter(action="records.audit_read").exists()
