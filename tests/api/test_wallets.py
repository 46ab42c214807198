"""Wallet, transfers, authorizations and premiums over HTTP (R1–R3, R10–R12, R16, R22)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gongji.clock import FixedClock
from tests.conftest import PREMIUM, Api, codes, member_id, mother_id, nodes, person

pytestmark = pytest.mark.usefixtures("reconciled")

WALLET = """{ myWallet { opened available reserved transfersToday transfersLeftToday
  personalAccount { carryover currentYear total } } }"""
OPEN = "mutation { openWallet { wallet { opened available } errors { code rule } } }"
TRANSFER = """mutation($a:Money!,$k:String!){ transferToWallet(amount:$a, idempotencyKey:$k){
  replayed transfer { amount fromCarryover fromCurrentYear } wallet { available }
  errors { code field rule message } } }"""
AUTHORIZE = """mutation($r:ID!,$q:Money!){ authorizeFamilyMember(relativeId:$r, quota:$q){
  authorization { id quota spent remaining relationship status relative { name } }
  errors { code field rule } } }"""
CHANGE = """mutation($a:ID!,$q:Money!){ changeAuthorization(authorizationId:$a, quota:$q){
  authorization { quota remaining } errors { code rule message } } }"""
REVOKE = """mutation($a:ID!){ revokeAuthorization(authorizationId:$a){
  authorization { status remaining } errors { code } } }"""


async def test_wallet_shows_personal_account_and_balance(api: Api) -> None:
    zhang = await api.login("demo-zhangwei")
    wallet = (await api.data(WALLET, token=zhang))["myWallet"]
    assert wallet == {
        "opened": True,
        "available": "3000.00",
        "reserved": "0.00",
        "transfersToday": 0,
        "transfersLeftToday": 3,
        "personalAccount": {"carryover": "5000.00", "currentYear": "1500.00", "total": "6500.00"},
    }


async def test_open_wallet_r1_r10(api: Api) -> None:
    mother = await api.login("demo-wangxiuying")
    assert (await api.data(OPEN, token=mother))["openWallet"]["errors"] == [
        {"code": "NOT_EMPLOYEE_INSURED", "rule": "R1"}
    ]
    zhao = await api.login("demo-lijianguo")
    assert codes((await api.data(OPEN, token=zhao))["openWallet"]) == ["NOT_EMPLOYEE_INSURED"]
    guli = await api.login("demo-guli")
    opened = await api.data(OPEN, token=guli)
    assert opened["openWallet"] == {"wallet": {"opened": True, "available": "0.00"}, "errors": []}
    assert codes((await api.data(OPEN, token=guli))["openWallet"]) == ["WALLET_ALREADY_OPEN"]


async def test_transfer_uses_carryover_first_and_is_idempotent_r10_r12(api: Api) -> None:
    zhang = await api.login("demo-zhangwei")
    first = await api.data(TRANSFER, {"a": "1500.50", "k": "transfer-0001"}, token=zhang)
    assert first["transferToWallet"]["transfer"] == {
        "amount": "1500.50",
        "fromCarryover": "1500.50",
        "fromCurrentYear": "0.00",
    }
    assert first["transferToWallet"]["wallet"] == {"available": "4500.50"}
    retry = await api.data(TRANSFER, {"a": "1500.50", "k": "transfer-0001"}, token=zhang)
    assert retry["transferToWallet"]["replayed"] is True
    assert retry["transferToWallet"]["wallet"] == {"available": "4500.50"}
    reused = await api.data(TRANSFER, {"a": "99.00", "k": "transfer-0001"}, token=zhang)
    assert reused["transferToWallet"]["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    wallet = (await api.data(WALLET, token=zhang))["myWallet"]
    assert wallet["personalAccount"]["carryover"] == "3499.50"
    assert wallet["transfersToday"] == 1


async def test_transfer_limits_r10(api: Api, clock: FixedClock) -> None:
    zhang = await api.login("demo-zhangwei")
    over = await api.data(TRANSFER, {"a": "2000.01", "k": "transfer-over"}, token=zhang)
    assert codes(over["transferToWallet"]) == ["TRANSFER_OVER_LIMIT"]
    for n in range(3):
        done = await api.data(TRANSFER, {"a": "100", "k": f"transfer-day-{n}"}, token=zhang)
        assert codes(done["transferToWallet"]) == []
    fourth = await api.data(TRANSFER, {"a": "100", "k": "transfer-day-3"}, token=zhang)
    assert codes(fourth["transferToWallet"]) == ["TRANSFER_DAILY_LIMIT_REACHED"]
    clock.advance(timedelta(hours=13))  # 23:00 in China
    late = await api.data(TRANSFER, {"a": "100", "k": "transfer-late"}, token=zhang)
    assert late["transferToWallet"]["errors"][0]["code"] == "TRANSFER_QUIET_HOURS"
    clock.advance(timedelta(hours=8))  # 07:00 the next day: a new day's allowance
    assert (
        codes(
            (await api.data(TRANSFER, {"a": "100", "k": "transfer-next"}, token=zhang))[
                "transferToWallet"
            ]
        )
        == []
    )


async def test_transfer_rejects_bad_amounts_and_more_than_the_account(api: Api) -> None:
    zhao = await api.login("demo-zhaomin")  # not verified yet
    unverified = await api.data(TRANSFER, {"a": "1", "k": "transfer-x1"}, token=zhao)
    assert codes(unverified["transferToWallet"]) == ["IDENTITY_NOT_VERIFIED"]
    li = await api.login("demo-lina")
    for bad in ["0", "-5", "1.001", "abc", "1e3"]:
        result = await api.data(TRANSFER, {"a": bad, "k": "transfer-bad1"}, token=li)
        assert result["transferToWallet"]["errors"][0] | {"message": ""} == {
            "code": "INVALID_INPUT",
            "field": "amount",
            "rule": None,
            "message": "",
        }
    bad_key = await api.data(TRANSFER, {"a": "1", "k": "short"}, token=li)
    assert bad_key["transferToWallet"]["errors"][0]["field"] == "idempotencyKey"
    # 李娜's personal account: 1200.00 carry-over (800.00 already moved) + 600.00 current
    moved = await api.data(TRANSFER, {"a": "1000", "k": "transfer-li-1"}, token=li)
    assert moved["transferToWallet"]["transfer"]["fromCarryover"] == "1000.00"
    short = await api.data(TRANSFER, {"a": "800.01", "k": "transfer-li-2"}, token=li)
    assert codes(short["transferToWallet"]) == ["PERSONAL_ACCOUNT_INSUFFICIENT"]
    rest = await api.data(TRANSFER, {"a": "800", "k": "transfer-li-3"}, token=li)
    assert rest["transferToWallet"]["transfer"] == {
        "amount": "800.00",
        "fromCarryover": "200.00",
        "fromCurrentYear": "600.00",
    }


async def test_authorize_reserves_quota_r11(api: Api) -> None:
    zhang = await api.login("demo-zhangwei")
    mother = await mother_id(api, zhang)
    granted = await api.data(AUTHORIZE, {"r": mother, "q": "500.00"}, token=zhang)
    authorization = granted["authorizeFamilyMember"]["authorization"]
    assert authorization | {"id": ""} == {
        "id": "",
        "quota": "500.00",
        "spent": "0.00",
        "remaining": "500.00",
        "relationship": "PARENT",
        "status": "ACTIVE",
        "relative": {"name": "王秀英"},
    }
    wallet = (await api.data(WALLET, token=zhang))["myWallet"]
    assert (wallet["available"], wallet["reserved"]) == ("2500.00", "500.00")
    again = await api.data(AUTHORIZE, {"r": mother, "q": "1.00"}, token=zhang)
    assert codes(again["authorizeFamilyMember"]) == ["AUTHORIZATION_ALREADY_ACTIVE"]
    received = await api.data(
        "{ authorizationsReceived { edges { node { quota authorizer { name } } } } }",
        token=await api.login("demo-wangxiuying"),
    )
    assert nodes(received["authorizationsReceived"]) == [
        {"quota": "500.00", "authorizer": {"name": "张伟"}}
    ]


async def test_authorize_rejections(api: Api) -> None:
    zhang = await api.login("demo-zhangwei")
    mother = await mother_id(api, zhang)
    too_much = await api.data(AUTHORIZE, {"r": mother, "q": "3000.01"}, token=zhang)
    assert codes(too_much["authorizeFamilyMember"]) == ["INSUFFICIENT_BALANCE"]
    stranger = await member_id(api, await api.login("demo-aili"))
    outside = await api.data(AUTHORIZE, {"r": stranger, "q": "1"}, token=zhang)
    assert codes(outside["authorizeFamilyMember"]) == ["NOT_IN_SAME_FAMILY"]
    myself = await member_id(api, zhang)
    assert codes(
        (await api.data(AUTHORIZE, {"r": myself, "q": "1"}, token=zhang))["authorizeFamilyMember"]
    ) == ["CANNOT_AUTHORIZE_SELF"]
    as_mother = await api.login("demo-wangxiuying")  # resident insured: no account to share
    refused = await api.data(AUTHORIZE, {"r": myself, "q": "1"}, token=as_mother)
    assert codes(refused["authorizeFamilyMember"]) == ["WALLET_NOT_OPEN"]


async def test_change_and_revoke_return_unspent_quota_r9_r11(api: Api) -> None:
    zhang = await api.login("demo-zhangwei")
    mother = await mother_id(api, zhang)
    granted = await api.data(AUTHORIZE, {"r": mother, "q": "500.00"}, token=zhang)
    auth = granted["authorizeFamilyMember"]["authorization"]["id"]
    raised = await api.data(CHANGE, {"a": auth, "q": "800.00"}, token=zhang)
    assert raised["changeAuthorization"]["authorization"] == {
        "quota": "800.00",
        "remaining": "800.00",
    }
    lowered = await api.data(CHANGE, {"a": auth, "q": "200.00"}, token=zhang)
    assert lowered["changeAuthorization"]["authorization"]["remaining"] == "200.00"
    assert (await api.data(WALLET, token=zhang))["myWallet"]["available"] == "2800.00"
    as_mother = await api.login("demo-wangxiuying")
    not_hers = await api.data(CHANGE, {"a": auth, "q": "900.00"}, token=as_mother)
    assert codes(not_hers["changeAuthorization"]) == ["NOT_AUTHORIZATION_PARTY"]
    revoked = await api.data(REVOKE, {"a": auth}, token=as_mother)  # either side may end it
    assert revoked["revokeAuthorization"] == {
        "authorization": {"status": "REVOKED", "remaining": "0.00"},
        "errors": [],
    }
    wallet = (await api.data(WALLET, token=zhang))["myWallet"]
    assert (wallet["available"], wallet["reserved"]) == ("3000.00", "0.00")
    assert codes((await api.data(REVOKE, {"a": auth}, token=zhang))["revokeAuthorization"]) == [
        "AUTHORIZATION_NOT_ACTIVE"
    ]


async def test_leaving_the_group_ends_authorizations_r9(api: Api) -> None:
    zhang = await api.login("demo-zhangwei")
    mother = await mother_id(api, zhang)
    await api.data(AUTHORIZE, {"r": mother, "q": "500.00"}, token=zhang)
    as_mother = await api.login("demo-wangxiuying")
    group = (await api.data("{ myFamilyGroups { id } }", token=as_mother))["myFamilyGroups"][0][
        "id"
    ]
    await api.data(
        "mutation($g:ID!){leaveFamilyGroup(groupId:$g){errors{code}}}",
        {"g": group},
        token=as_mother,
    )
    ended = await api.data(
        "{ authorizationsGranted { edges { node { status remaining } } } }", token=zhang
    )
    assert nodes(ended["authorizationsGranted"]) == [{"status": "ENDED", "remaining": "0.00"}]
    assert (await api.data(WALLET, token=zhang))["myWallet"]["available"] == "3000.00"


async def test_resident_premium_for_a_relative_r16(api: Api) -> None:
    zhang = await api.login("demo-zhangwei")
    mother = await mother_id(api, zhang)
    variables = {"r": mother, "y": 2026, "a": "380.00", "k": "premium-2026-mother"}
    paid = await api.data(PREMIUM, variables, token=zhang)
    assert paid["payResidentPremium"]["premium"] == {
        "year": 2026,
        "amount": "380.00",
        "relative": {"name": "王秀英"},
    }
    replay = await api.data(PREMIUM, variables, token=zhang)
    assert replay["payResidentPremium"]["replayed"] is True
    twice = await api.data(PREMIUM, {**variables, "k": "premium-2026-again"}, token=zhang)
    assert twice["payResidentPremium"]["errors"] == [
        {"code": "PREMIUM_ALREADY_PAID", "rule": "R16"}
    ]
    past = await api.data(PREMIUM, {**variables, "y": 2020, "k": "premium-2020"}, token=zhang)
    assert codes(past["payResidentPremium"]) == ["INVALID_INPUT"]
    assert (await api.data(WALLET, token=zhang))["myWallet"]["available"] == "2620.00"
    aili = await api.login("demo-aili")
    guli = await member_id(api, await api.login("demo-guli"))
    employee = await api.data(
        PREMIUM, {"r": guli, "y": 2026, "a": "380", "k": "premium-guli"}, token=aili
    )
    assert codes(employee["payResidentPremium"]) == ["RELATIVE_NOT_RESIDENT_INSURED"]
    assert person("古丽").insurance_type.value == "employee"
