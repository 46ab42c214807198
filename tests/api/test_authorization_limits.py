"""亲属卡-style limits on an authorization: a monthly cap that resets on the 1st in China, and
a last day after which it ends by itself and the unspent quota returns (R11)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gongji import jobs
from gongji.audit.models import AuditEntry
from gongji.clock import FixedClock
from tests.conftest import HENAN_HOSPITAL, Api, bill_input, create_bill

pytestmark = pytest.mark.usefixtures("reconciled")
ENDED_NOTICES = """{ myNotices(first: 20) { edges { node { kind amount authorizationId } } } }"""

AUTHORIZE = """mutation($r:ID!,$q:Money!,$m:Money,$v:Date){ authorizeFamilyMember(relativeId:$r,
  quota:$q, monthlyCap:$m, validUntil:$v){
  authorization { id monthlyCap spentThisMonth validUntil } errors { code field } } }"""
CHANGE_CAP = """mutation($a:ID!,$m:Money){ changeAuthorization(authorizationId:$a, monthlyCap:$m){
  authorization { quota monthlyCap validUntil } errors { code field } } }"""
CHANGE_END = """mutation($a:ID!,$v:Date){ changeAuthorization(authorizationId:$a, validUntil:$v){
  authorization { quota monthlyCap validUntil } errors { code field } } }"""
PAY = """mutation($b:ID!,$a:ID!,$k:String!){ pay(billId:$b, authorizationId:$a, idempotencyKey:$k){
  payment { id acctMulaidPay psnCashPay } errors { code field rule message } } }"""
REFUND = """mutation($p:ID!,$a:Money!,$k:String!){ refundPayment(paymentId:$p, amount:$a,
  reason:"退药", idempotencyKey:$k){ refund { amount } errors { code } } }"""
GRANTED = """{ authorizationsGranted { edges { node { status remaining spentThisMonth
  monthlyCap } } } }"""
WALLET = "{ myWallet { available reserved } }"


@pytest.fixture
async def lanzhou(api: Api) -> dict[str, str]:
    zhang = await api.login("demo-zhangwei")
    groups = await api.data("{ myFamilyGroups { members { person { id name } } } }", token=zhang)
    mother = next(
        m["person"]["id"]
        for g in groups["myFamilyGroups"]
        for m in g["members"]
        if m["person"]["name"] == "王秀英"
    )
    return {"zhang": zhang, "mother": await api.login("demo-wangxiuying"), "mother id": mother}


async def authorize(api: Api, people: dict[str, str], **limits: str | None) -> dict[str, Any]:
    variables = {"r": people["mother id"], "q": "500.00", "m": None, "v": None} | limits
    data = await api.data(AUTHORIZE, variables, token=people["zhang"])
    payload: dict[str, Any] = data["authorizeFamilyMember"]
    return payload


async def pay(api: Api, people: dict[str, str], auth: str, ref: str, amount: str) -> Any:
    bill = await create_bill(api, HENAN_HOSPITAL, bill_input(ref, ("药品", "DRUG", amount)))
    data = await api.data(PAY, {"b": bill, "a": auth, "k": f"pay-{ref}"}, token=people["mother"])
    return data["pay"]


async def relogin(api: Api, people: dict[str, str]) -> None:
    """After the clock moved by days: the sessions of before have expired."""
    people["zhang"] = await api.login("demo-zhangwei")
    people["mother"] = await api.login("demo-wangxiuying")


def at_china(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


async def test_monthly_cap_resets_on_the_first_china_time(
    api: Api, lanzhou: dict[str, str], clock: FixedClock
) -> None:
    granted = await authorize(api, lanzhou, m="100.00")
    auth = granted["authorization"]
    assert (auth["monthlyCap"], auth["spentThisMonth"]) == ("100.00", "0.00")
    first = await pay(api, lanzhou, auth["id"], "CAP-1", "80.00")
    assert first["payment"]["acctMulaidPay"] == "80.00"
    second = await pay(api, lanzhou, auth["id"], "CAP-2", "50.00")
    assert (second["payment"]["acctMulaidPay"], second["payment"]["psnCashPay"]) == (
        "20.00",
        "30.00",
    )  # the cap pays what is left of it; the rest is cash
    clock.at = at_china(2026, 3, 31, 23, 59)  # 15:59 UTC: still March in China
    await relogin(api, lanzhou)
    refused = await pay(api, lanzhou, auth["id"], "CAP-3", "10.00")
    assert [e["code"] for e in refused["errors"]] == ["MONTHLY_CAP_REACHED"]
    assert "100.00" in refused["errors"][0]["message"]
    clock.at = at_china(2026, 4, 1, 0, 0)  # 16:00 UTC on March 31st: April in China
    await relogin(api, lanzhou)
    shown = (await api.data(GRANTED, token=lanzhou["zhang"]))["authorizationsGranted"]
    assert shown["edges"][0]["node"]["spentThisMonth"] == "0.00"
    april = await pay(api, lanzhou, auth["id"], "CAP-4", "10.00")
    assert april["payment"]["acctMulaidPay"] == "10.00"
    shown = (await api.data(GRANTED, token=lanzhou["zhang"]))["authorizationsGranted"]
    assert shown["edges"][0]["node"] == {
        "status": "ACTIVE",
        "remaining": "390.00",
        "spentThisMonth": "10.00",
        "monthlyCap": "100.00",
    }


async def test_a_refund_this_month_gives_the_cap_back(api: Api, lanzhou: dict[str, str]) -> None:
    auth = (await authorize(api, lanzhou, m="100.00"))["authorization"]["id"]
    paid = await pay(api, lanzhou, auth, "CAPR-1", "100.00")
    refunded = await api.data(
        REFUND,
        {"p": paid["payment"]["id"], "a": "40.00", "k": "refund-capr-1"},
        token=HENAN_HOSPITAL,
    )
    assert refunded["refundPayment"]["errors"] == []
    again = await pay(api, lanzhou, auth, "CAPR-2", "60.00")
    assert again["payment"]["acctMulaidPay"] == "40.00"


async def test_the_cap_can_be_changed_and_removed(api: Api, lanzhou: dict[str, str]) -> None:
    auth = (await authorize(api, lanzhou, m="50.00"))["authorization"]["id"]
    await pay(api, lanzhou, auth, "CAPC-1", "50.00")
    raised = await api.data(CHANGE_CAP, {"a": auth, "m": "80.00"}, token=lanzhou["zhang"])
    assert raised["changeAuthorization"]["authorization"] == {
        "quota": "500.00",  # left out: kept
        "monthlyCap": "80.00",
        "validUntil": None,
    }
    assert (await pay(api, lanzhou, auth, "CAPC-2", "50.00"))["payment"]["acctMulaidPay"] == "30.00"
    removed = await api.data(CHANGE_CAP, {"a": auth, "m": None}, token=lanzhou["zhang"])
    assert removed["changeAuthorization"]["authorization"]["monthlyCap"] is None
    assert (await pay(api, lanzhou, auth, "CAPC-3", "50.00"))["payment"]["acctMulaidPay"] == "50.00"


async def test_ends_by_itself_after_its_last_day(
    api: Api, lanzhou: dict[str, str], clock: FixedClock
) -> None:
    granted = await authorize(api, lanzhou, v="2026-03-12")
    auth = granted["authorization"]["id"]
    assert granted["authorization"]["validUntil"] == "2026-03-12"
    await pay(api, lanzhou, auth, "END-1", "100.00")
    clock.at = at_china(2026, 3, 12, 23, 59)
    await relogin(api, lanzhou)
    assert (await pay(api, lanzhou, auth, "END-2", "10.00"))["errors"] == []  # its last day
    assert await jobs.run_due(clock.now()) == jobs.JobReport(0, 0)
    clock.at = at_china(2026, 3, 13, 0, 0)
    await relogin(api, lanzhou)
    late = await pay(api, lanzhou, auth, "END-3", "10.00")
    assert [e["code"] for e in late["errors"]] == ["AUTHORIZATION_EXPIRED"]  # before the job
    assert await jobs.run_due(clock.now()) == jobs.JobReport(0, 1)
    shown = (await api.data(GRANTED, token=lanzhou["zhang"]))["authorizationsGranted"]
    assert shown["edges"][0]["node"]["status"] == "ENDED"
    wallet = (await api.data(WALLET, token=lanzhou["zhang"]))["myWallet"]
    assert wallet == {"available": "2890.00", "reserved": "0.00"}  # 3000 − 110 spent
    assert await AuditEntry.filter(action="authorization.expire", subject_id=auth).exists()
    told = await api.data(ENDED_NOTICES, token=lanzhou["zhang"])
    ended = [n for n in told["myNotices"]["edges"] if n["node"]["kind"] == "AUTHORIZATION_ENDED"]
    assert [(n["node"]["amount"], n["node"]["authorizationId"]) for n in ended] == [
        ("390.00", auth)  # the unspent quota, back in the wallet
    ]
    after = await pay(api, lanzhou, auth, "END-4", "10.00")
    assert [e["code"] for e in after["errors"]] == ["AUTHORIZATION_NOT_ACTIVE"]


async def test_a_last_day_in_the_past_is_refused_and_can_be_moved(
    api: Api, lanzhou: dict[str, str]
) -> None:
    past = await authorize(api, lanzhou, v="2026-03-09")
    assert [(e["code"], e["field"]) for e in past["errors"]] == [("INVALID_INPUT", "validUntil")]
    auth = (await authorize(api, lanzhou, v="2026-03-10"))["authorization"]["id"]
    moved = await api.data(CHANGE_END, {"a": auth, "v": "2026-06-30"}, token=lanzhou["zhang"])
    assert moved["changeAuthorization"]["authorization"]["validUntil"] == "2026-06-30"
    cleared = await api.data(CHANGE_END, {"a": auth, "v": None}, token=lanzhou["zhang"])
    assert cleared["changeAuthorization"]["authorization"]["validUntil"] is None
