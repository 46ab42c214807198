"""R21: fraud rules as policy data; a rule that fires holds the authorization for an agent.

The national rules (policies.toml): F1 more than 5 pharmacy purchases in 24 hours; F2
institutions in 3 cities within 6 hours; F3 a proxy purchase above 1,000 yuan of family money;
F4 90% of a quota of 1,000 yuan or more spent within an hour of granting it. The payment that
fires a rule completes; the next one is refused until an agent releases or ends the hold.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gongji import demo
from gongji.audit.models import AuditEntry
from gongji.clock import FixedClock
from tests.conftest import (
    HENAN_HOSPITAL,
    Api,
    agent_token,
    bill_input,
    create_bill,
    nodes,
    person,
)

pytestmark = pytest.mark.usefixtures("reconciled")

LANZHOU_PHARMACY = demo.demo_api_key("P62010200003")
ZHENGZHOU_PHARMACY = demo.demo_api_key("P41010500007")
SHANGHAI_PHARMACY = demo.demo_api_key("P31010100003")

AUTHORIZE = """mutation($r:ID!,$q:Money!){ authorizeFamilyMember(relativeId:$r, quota:$q){
  authorization { id } errors { code } } }"""
RAISE = """mutation($a:ID!,$q:Money!){ changeAuthorization(authorizationId:$a, quota:$q){
  errors { code } } }"""
PAY = """mutation($b:ID!,$a:ID!,$k:String!){ pay(billId:$b, authorizationId:$a, idempotencyKey:$k){
  payment { id acctMulaidPay } errors { code field rule message } } }"""
RECEIVED = "{ authorizationsReceived { edges { node { id status holdRule remaining } } } }"
HOLDS = """query($s:HoldStatus){ authorizationHolds(status:$s){ totalCount edges { node {
  id ruleId firedRules status paymentId reason authorization { id holdRule status } } } } }"""
RELEASE = """mutation($h:ID!,$r:String!){ releaseAuthorizationHold(holdId:$h, reason:$r){
  hold { status reason authorization { holdRule status } } errors { code field } } }"""
END = """mutation($h:ID!,$r:String!){ endHeldAuthorization(holdId:$h, reason:$r){
  hold { status authorization { status remaining } } errors { code field } } }"""
REASON = "电话核实为本人家属正常购药"
HOLD_NOTICES = """{ myNotices(first: 30) { edges { node {
  kind counterpart rule } } } }"""


class Family:
    """张伟 grants his mother 王秀英 a quota; she pays at institutions across the country."""

    def __init__(self, api: Api, clock: FixedClock) -> None:
        self.api, self.clock, self.auth, self.count = api, clock, "", 0

    async def login(self) -> None:
        self.zhang = await self.api.login("demo-zhangwei")
        self.mother = await self.api.login("demo-wangxiuying")

    async def grant(self, quota: str) -> None:
        await self.login()
        groups = await self.api.data(
            "{ myFamilyGroups { members { person { id name } } } }", token=self.zhang
        )
        mother = next(
            m["person"]["id"]
            for g in groups["myFamilyGroups"]
            for m in g["members"]
            if m["person"]["name"] == "王秀英"
        )
        data = await self.api.data(AUTHORIZE, {"r": mother, "q": quota}, token=self.zhang)
        self.auth = data["authorizeFamilyMember"]["authorization"]["id"]

    async def later(self, delta: timedelta) -> None:
        self.clock.advance(delta)
        await self.login()

    async def pay(self, at: str, amount: str = "10.00", **bill: Any) -> dict[str, Any]:
        self.count += 1
        ref = f"FR-{self.count:03d}"
        visit = "OUTPATIENT" if at == HENAN_HOSPITAL else "PHARMACY"
        made = bill_input(ref, ("药品", "DRUG", amount), visit=visit, **bill)
        bill_id = await create_bill(self.api, at, made)
        data = await self.api.data(
            PAY, {"b": bill_id, "a": self.auth, "k": f"fraud-{ref}"}, token=self.mother
        )
        payload: dict[str, Any] = data["pay"]
        return payload

    async def hold_rule(self) -> str | None:
        data = await self.api.data(RECEIVED, token=self.mother)
        node = next(e["node"] for e in data["authorizationsReceived"]["edges"])
        rule: str | None = node["holdRule"]
        return rule


@pytest.fixture
async def family(api: Api, clock: FixedClock) -> Family:
    found = Family(api, clock)
    await found.grant("500.00")
    return found


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def test_f1_more_than_five_pharmacy_purchases_in_a_day(family: Family) -> None:
    for _ in range(5):
        assert (await family.pay(LANZHOU_PHARMACY))["errors"] == []
        await family.later(timedelta(hours=1))
    assert await family.hold_rule() is None
    sixth = await family.pay(LANZHOU_PHARMACY)
    assert sixth["errors"] == [] and sixth["payment"]["acctMulaidPay"] == "10.00"  # completes
    assert await family.hold_rule() == "F1"
    refused = await family.pay(LANZHOU_PHARMACY)
    assert codes(refused) == ["AUTHORIZATION_ON_HOLD"]
    assert refused["errors"][0]["rule"] == "R21" and "F1" in refused["errors"][0]["message"]
    hospital = await family.pay(HENAN_HOSPITAL)  # every payment waits, not only pharmacies
    assert codes(hospital) == ["AUTHORIZATION_ON_HOLD"]


async def test_f1_does_not_fire_on_purchases_spread_over_more_than_a_day(family: Family) -> None:
    for _ in range(5):
        await family.pay(LANZHOU_PHARMACY)
        await family.later(timedelta(hours=4))
    await family.later(timedelta(hours=4, minutes=1))  # the first is now 24h01 old
    assert (await family.pay(LANZHOU_PHARMACY))["errors"] == []
    assert await family.hold_rule() is None


async def test_f2_three_cities_within_six_hours(family: Family) -> None:
    await family.pay(HENAN_HOSPITAL)  # Zhengzhou
    await family.later(timedelta(hours=2))
    await family.pay(LANZHOU_PHARMACY)  # Lanzhou
    await family.pay(ZHENGZHOU_PHARMACY)  # Zhengzhou again: still two cities
    assert await family.hold_rule() is None
    await family.later(timedelta(hours=3, minutes=59))
    assert (await family.pay(SHANGHAI_PHARMACY))["errors"] == []
    assert await family.hold_rule() == "F2"


async def test_f2_does_not_fire_when_the_cities_are_hours_apart(family: Family) -> None:
    await family.pay(HENAN_HOSPITAL)
    await family.later(timedelta(hours=3))
    await family.pay(LANZHOU_PHARMACY)
    await family.later(timedelta(hours=3, minutes=1))  # Zhengzhou is 6h01 ago
    await family.pay(SHANGHAI_PHARMACY)
    assert await family.hold_rule() is None


async def test_f3_a_proxy_purchase_above_1000_yuan(api: Api, clock: FixedClock) -> None:
    family = Family(api, clock)
    await family.grant("2500.00")
    proxy = {"proxyBuyerName": "张伟", "proxyBuyerIdNumber": person("张伟").id_number}
    assert (await family.pay(LANZHOU_PHARMACY, "1000.00", **proxy))["errors"] == []
    assert (await family.pay(LANZHOU_PHARMACY, "1000.01"))["errors"] == []  # not a proxy
    assert await family.hold_rule() is None
    assert (await family.pay(LANZHOU_PHARMACY, "200.00", **proxy))["errors"] == []
    assert await family.hold_rule() is None


async def test_f3_fires_above_the_amount(api: Api, clock: FixedClock) -> None:
    family = Family(api, clock)
    await family.grant("2500.00")
    proxy = {"proxyBuyerName": "张伟", "proxyBuyerIdNumber": person("张伟").id_number}
    assert (await family.pay(LANZHOU_PHARMACY, "1000.01", **proxy))["errors"] == []
    assert await family.hold_rule() == "F3"


async def test_f4_most_of_a_new_quota_spent_at_once(api: Api, clock: FixedClock) -> None:
    family = Family(api, clock)
    await family.grant("1000.00")
    await family.later(timedelta(minutes=59))
    assert (await family.pay(HENAN_HOSPITAL, "900.00"))["errors"] == []  # exactly 90%
    assert await family.hold_rule() == "F4"


async def test_f4_does_not_fire_after_the_hour_or_below_the_share(
    api: Api, clock: FixedClock
) -> None:
    family = Family(api, clock)
    await family.grant("1000.00")
    await family.pay(HENAN_HOSPITAL, "899.99")  # under 90%
    assert await family.hold_rule() is None
    await family.later(timedelta(minutes=61))
    await family.pay(HENAN_HOSPITAL, "100.01")  # drained, but more than an hour after
    assert await family.hold_rule() is None


async def test_f4_counts_from_a_raise(api: Api, clock: FixedClock) -> None:
    family = Family(api, clock)
    await family.grant("1000.00")
    await family.later(timedelta(hours=5))
    raised = await api.data(RAISE, {"a": family.auth, "q": "2000.00"}, token=family.zhang)
    assert raised["changeAuthorization"]["errors"] == []
    await family.pay(HENAN_HOSPITAL, "1800.00")
    assert await family.hold_rule() == "F4"


async def test_small_quotas_drained_at_once_do_not_fire(family: Family) -> None:
    await family.pay(HENAN_HOSPITAL, "500.00")  # the whole 500.00 at once: below 1,000 yuan
    assert await family.hold_rule() is None


async def six_pharmacy_purchases(family: Family) -> None:
    for _ in range(6):
        await family.pay(LANZHOU_PHARMACY)
    assert await family.hold_rule() == "F1"


async def test_an_agent_releases_a_false_positive(api: Api, family: Family) -> None:
    await six_pharmacy_purchases(family)
    agent = await agent_token(api, "lanzhou-fraud", "620100")
    queue = (await api.data(HOLDS, {"s": "OPEN"}, token=agent))["authorizationHolds"]
    assert queue["totalCount"] == 1
    hold = queue["edges"][0]["node"]
    assert (hold["ruleId"], hold["firedRules"], hold["status"]) == ("F1", ["F1"], "OPEN")
    assert hold["authorization"] == {"id": family.auth, "holdRule": "F1", "status": "ACTIVE"}
    short = await api.data(RELEASE, {"h": hold["id"], "r": "ok"}, token=agent)
    assert codes(short["releaseAuthorizationHold"]) == ["AGENT_REASON_TOO_SHORT"]
    released = await api.data(RELEASE, {"h": hold["id"], "r": REASON}, token=agent)
    assert released["releaseAuthorizationHold"]["hold"] == {
        "status": "RELEASED",
        "reason": REASON,
        "authorization": {"holdRule": None, "status": "ACTIVE"},
    }
    assert (await family.pay(LANZHOU_PHARMACY))["errors"] == []  # the 7th today: not again
    assert await family.hold_rule() is None
    twice = await api.data(RELEASE, {"h": hold["id"], "r": REASON}, token=agent)
    assert codes(twice["releaseAuthorizationHold"]) == ["HOLD_NOT_OPEN"]
    told = await api.data(HOLD_NOTICES, token=family.zhang)
    holds = [n for n in nodes(told["myNotices"]) if n["kind"].startswith("HOLD_")]
    assert [(n["kind"], n["counterpart"], n["rule"]) for n in holds] == [
        ("HOLD_RELEASED", "王秀英", "F1"),
        ("HOLD_PLACED", "王秀英", "F1"),
    ]
    actions = await AuditEntry.filter(subject_id=family.auth).values_list("action", flat=True)
    assert {"authorization.hold", "authorization.hold_released"} <= set(actions)
    released_by = await AuditEntry.get(action="authorization.hold_released")
    assert (released_by.actor_kind, released_by.reason) == ("agent", REASON)


async def test_an_agent_ends_the_authorization(api: Api, family: Family) -> None:
    await six_pharmacy_purchases(family)
    agent = await agent_token(api, "lanzhou-fraud", "620100")
    queue = (await api.data(HOLDS, {"s": "OPEN"}, token=agent))["authorizationHolds"]
    ended = await api.data(END, {"h": queue["edges"][0]["node"]["id"], "r": REASON}, token=agent)
    assert ended["endHeldAuthorization"]["hold"] == {
        "status": "ENDED",
        "authorization": {"status": "ENDED", "remaining": "0.00"},
    }
    wallet = (await api.data("{ myWallet { available } }", token=family.zhang))["myWallet"]
    assert wallet["available"] == "2940.00"  # 3000 − 60 spent: the unspent quota came back
    assert codes(await family.pay(LANZHOU_PHARMACY)) == ["AUTHORIZATION_NOT_ACTIVE"]
    left = (await api.data(HOLDS, {"s": "OPEN"}, token=agent))["authorizationHolds"]
    assert left["totalCount"] == 0


async def test_holds_stay_in_the_agents_scope(api: Api, family: Family) -> None:
    await six_pharmacy_purchases(family)
    urumqi = await agent_token(api, "urumqi-fraud", "650100")
    queue = (await api.data(HOLDS, {"s": None}, token=urumqi))["authorizationHolds"]
    assert queue["totalCount"] == 0
    lanzhou = await agent_token(api, "lanzhou-fraud", "620100")
    hold = (await api.data(HOLDS, {"s": None}, token=lanzhou))["authorizationHolds"]
    hold_id = hold["edges"][0]["node"]["id"]
    outside = await api.data(RELEASE, {"h": hold_id, "r": REASON}, token=urumqi)
    assert codes(outside["releaseAuthorizationHold"]) == ["AGENT_OUTSIDE_SCOPE"]
    by_member = await api.data(RELEASE, {"h": hold_id, "r": REASON}, token=family.zhang)
    assert codes(by_member["releaseAuthorizationHold"]) == ["FORBIDDEN"]
    as_member = await api(HOLDS, {"s": None}, token=family.zhang)
    assert as_member["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_revoking_a_held_authorization_ends_the_hold(api: Api, family: Family) -> None:
    await six_pharmacy_purchases(family)
    revoke = "mutation($a:ID!){ revokeAuthorization(authorizationId:$a){ errors { code } } }"
    done = await api.data(revoke, {"a": family.auth}, token=family.zhang)
    assert done["revokeAuthorization"]["errors"] == []
    agent = await agent_token(api, "lanzhou-fraud", "620100")
    queue = (await api.data(HOLDS, {"s": "ENDED"}, token=agent))["authorizationHolds"]
    assert queue["totalCount"] == 1  # kept for the record, no longer waiting


async def test_the_rules_are_public(api: Api) -> None:
    query = '{ fraudRules(regionCode:"620100") { id kind windowHours count amount sharePercent } }'
    rules = (await api.data(query))["fraudRules"]
    assert [(r["id"], r["kind"]) for r in rules] == [
        ("F1", "PHARMACY_BURST"),
        ("F2", "MANY_CITIES"),
        ("F3", "LARGE_PROXY_PURCHASE"),
        ("F4", "DRAIN_AFTER_GRANT"),
    ]
    assert rules[3] | {"id": ""} == {
        "id": "",
        "kind": "DRAIN_AFTER_GRANT",
        "windowHours": 1.0,
        "count": 0,
        "amount": "1000.00",
        "sharePercent": 90,
    }
