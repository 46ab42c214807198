"""The institution's half of a payment over HTTP: its bills, the settlement desk, the counter
code, and its API keys (R17, R22, R27)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gongji.audit.models import AuditEntry
from gongji.clock import FixedClock
from gongji.demo import demo_api_key
from gongji.institutions.models import ApiKey
from tests.conftest import Api, bill_input, create_bill, nodes, person

pytestmark = pytest.mark.usefixtures("reconciled")

HENAN_HOSPITAL = demo_api_key("H41010500002")
LANZHOU_HOSPITAL = demo_api_key("H62010200001")
PAY = """mutation($b:ID!,$a:ID!,$k:String!){ pay(billId:$b, authorizationId:$a, idempotencyKey:$k){
  payment { id } errors { code } } }"""
BILLS = """query($f:BillFilterInput,$n:Int,$c:String){
  institutionBills(filter:$f, first:$n, after:$c){
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { externalRef status payment { acctMulaidPay psnCashPay } } } } }"""
DESK = """query($n:String!,$i:String!,$f:Date!,$t:Date!,$r:String!,$c:String){
  patientFamilyMoneyUses(patientName:$n, patientIdNumber:$i, from:$f, to:$t, reason:$r,
                         first:1, after:$c){
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { externalRef payment { acctMulaidPay refunds { amount } } } } } }"""
CODE = """mutation($a:ID!){ createPaymentCode(authorizationId:$a){
  code expiresAt errors { code field rule } } }"""
SETTLE = """mutation($i:SettleWithPaymentCodeInput!,$k:String!){
  settleWithPaymentCode(input:$i, idempotencyKey:$k){
    replayed payment { id acctMulaidPay psnCashPay bill { externalRef status } }
    errors { code field rule message } } }"""
KEYS = "{ myApiKeys { id label prefix status current lastUsedAt expiresAt revokedAt } }"
ISSUE = """mutation($l:String!,$d:Int){ issueApiKey(label:$l, expiresInDays:$d){
  secret apiKey { id label status expiresAt } errors { code field } } }"""
REVOKE_KEY = """mutation($id:ID!){ revokeApiKey(id:$id){
  apiKey { id status revokedAt } errors { code field } } }"""
REASON = "患者申请核对本月家庭共济支付记录"


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


def refusal(body: dict[str, Any]) -> dict[str, Any]:
    """A query's refusal: one top-level error with a typed code."""
    assert body["data"] is None, body
    (error,) = body["errors"]
    extensions: dict[str, Any] = error["extensions"]
    return extensions


async def paid_bill(api: Api, family: dict[str, str], ref: str, amount: str) -> str:
    bill = await create_bill(api, HENAN_HOSPITAL, bill_input(ref, ("药品", "DRUG", amount)))
    paid = await api.data(
        PAY, {"b": bill, "a": family["auth"], "k": f"pay-{ref}"}, token=family["mother"]
    )
    assert paid["pay"]["errors"] == []
    return bill


# --- institutionBills -----------------------------------------------------------------------


async def test_institution_bills_page_newest_first_and_filter(
    api: Api, family: dict[str, str], clock: FixedClock
) -> None:
    await paid_bill(api, family, "ZZ-P1", "10.00")
    clock.advance(timedelta(days=1))
    await create_bill(api, HENAN_HOSPITAL, bill_input("ZZ-P2", ("药品", "DRUG", "20.00")))
    clock.advance(timedelta(days=1))
    await create_bill(api, HENAN_HOSPITAL, bill_input("ZZ-P3", ("药品", "DRUG", "30.00")))
    first = (await api.data(BILLS, {"n": 2}, token=HENAN_HOSPITAL))["institutionBills"]
    assert [e["node"]["externalRef"] for e in first["edges"]] == ["ZZ-P3", "ZZ-P2"]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (3, True)
    rest = await api.data(
        BILLS, {"n": 2, "c": first["pageInfo"]["endCursor"]}, token=HENAN_HOSPITAL
    )
    assert rest["institutionBills"]["edges"] == [
        {
            "node": {
                "externalRef": "ZZ-P1",
                "status": "PAID",
                "payment": {"acctMulaidPay": "10.00", "psnCashPay": "0.00"},
            }
        }
    ]
    assert rest["institutionBills"]["pageInfo"]["hasNextPage"] is False

    async def refs(f: dict[str, Any]) -> list[str]:
        data = await api.data(BILLS, {"f": f}, token=HENAN_HOSPITAL)
        return [e["node"]["externalRef"] for e in data["institutionBills"]["edges"]]

    assert await refs({"status": "OPEN"}) == ["ZZ-P3", "ZZ-P2"]
    assert await refs({"externalRef": "ZZ-P2"}) == ["ZZ-P2"]
    assert await refs({"from": "2026-03-11", "to": "2026-03-11"}) == ["ZZ-P2"]
    assert await refs({"to": "2026-03-10"}) == ["ZZ-P1"]
    elsewhere = await api.data(BILLS, {}, token=LANZHOU_HOSPITAL)
    assert elsewhere["institutionBills"] == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }


async def test_institution_bills_refusals(api: Api, family: dict[str, str]) -> None:
    as_member = refusal(await api(BILLS, {}, token=family["mother"]))
    assert as_member == {"code": "FORBIDDEN", "field": None, "rule": None}
    assert refusal(await api(BILLS, {}))["code"] == "UNAUTHENTICATED"
    backwards = refusal(
        await api(BILLS, {"f": {"from": "2026-03-12", "to": "2026-03-11"}}, token=HENAN_HOSPITAL)
    )
    assert (backwards["code"], backwards["field"]) == ("INVALID_INPUT", "filter.from")
    cursor = refusal(await api(BILLS, {"c": "garbage"}, token=HENAN_HOSPITAL))
    assert (cursor["code"], cursor["field"]) == ("INVALID_INPUT", "after")
    too_many = await api(BILLS, {"n": 101}, token=HENAN_HOSPITAL, language="en")
    assert too_many["errors"][0]["message"] == "Invalid input: 1–100 per page"


async def test_my_bills_pages_too(api: Api, family: dict[str, str], clock: FixedClock) -> None:
    for n in range(3):
        clock.advance(timedelta(minutes=1))
        await create_bill(api, HENAN_HOSPITAL, bill_input(f"ZZ-M{n}", ("药品", "DRUG", "1.00")))
    query = """query($c:String){ myBills(first:2, after:$c){ totalCount
      pageInfo { hasNextPage endCursor } edges { node { externalRef } } } }"""
    first = (await api.data(query, token=family["mother"]))["myBills"]
    assert [e["node"]["externalRef"] for e in first["edges"]] == ["ZZ-M2", "ZZ-M1"]
    assert first["totalCount"] == 3
    rest = await api.data(query, {"c": first["pageInfo"]["endCursor"]}, token=family["mother"])
    assert [e["node"]["externalRef"] for e in rest["myBills"]["edges"]] == ["ZZ-M0"]


# --- the settlement desk (R27) ----------------------------------------------------------


async def test_the_desk_reads_a_patients_uses_here_in_a_period_audited(
    api: Api, family: dict[str, str], clock: FixedClock
) -> None:
    await paid_bill(api, family, "ZZ-D1", "10.00")
    clock.advance(timedelta(days=3))
    second = await paid_bill(api, family, "ZZ-D2", "20.00")
    refund = """mutation($b:ID!){ refundBill(billId:$b, amount:"5.00", reason:"退药",
      idempotencyKey:"desk-refund-1"){ errors { code } } }"""
    assert (await api.data(refund, {"b": second}, token=HENAN_HOSPITAL))["refundBill"] == {
        "errors": []
    }
    mother = person("王秀英")
    ask = {"n": mother.name, "i": mother.id_number, "f": "2026-03-01", "t": "2026-03-31"}
    page = await api.data(DESK, {**ask, "r": REASON}, token=HENAN_HOSPITAL)
    uses = page["patientFamilyMoneyUses"]
    assert uses["totalCount"] == 2 and uses["pageInfo"]["hasNextPage"] is True
    assert uses["edges"][0]["node"] == {
        "externalRef": "ZZ-D2",
        "payment": {"acctMulaidPay": "20.00", "refunds": [{"amount": "5.00"}]},
    }
    nxt = await api.data(
        DESK, {**ask, "r": REASON, "c": uses["pageInfo"]["endCursor"]}, token=HENAN_HOSPITAL
    )
    assert nxt["patientFamilyMoneyUses"]["edges"][0]["node"]["externalRef"] == "ZZ-D1"
    first_days = await api.data(DESK, {**ask, "t": "2026-03-12", "r": REASON}, token=HENAN_HOSPITAL)
    assert [e["node"]["externalRef"] for e in first_days["patientFamilyMoneyUses"]["edges"]] == [
        "ZZ-D1"
    ]
    reads = await AuditEntry.filter(action="payments.desk_read").order_by("id")
    assert len(reads) == 3 and {r.reason for r in reads} == {REASON}
    assert mother.id_number not in str([r.detail for r in reads])
    elsewhere = refusal(await api(DESK, {**ask, "r": REASON}, token=LANZHOU_HOSPITAL))
    assert elsewhere["code"] == "MEMBER_NOT_FOUND"  # never billed there: nothing to say


async def test_the_desk_refuses_without_saying_which_part_was_wrong(
    api: Api, family: dict[str, str]
) -> None:
    await paid_bill(api, family, "ZZ-D3", "10.00")
    mother, other = person("王秀英"), person("张伟")
    ask = {"f": "2026-03-01", "t": "2026-03-31", "r": REASON}
    wrong_name = await api(
        DESK, {**ask, "n": "王秀", "i": mother.id_number}, token=HENAN_HOSPITAL, language="en"
    )
    wrong_number = await api(
        DESK, {**ask, "n": mother.name, "i": other.id_number}, token=HENAN_HOSPITAL, language="en"
    )
    assert wrong_name["errors"] == [
        {**wrong_number["errors"][0], "path": wrong_name["errors"][0]["path"]}
    ]
    assert refusal(wrong_name) == {"code": "MEMBER_NOT_FOUND", "field": None, "rule": None}
    assert "name and ID number" in wrong_name["errors"][0]["message"]
    short = refusal(
        await api(
            DESK,
            {**ask, "n": mother.name, "i": mother.id_number, "r": "查一下"},
            token=HENAN_HOSPITAL,
        )
    )
    assert short == {"code": "DESK_REASON_REQUIRED", "field": "reason", "rule": "R27"}
    as_member = refusal(
        await api(DESK, {**ask, "n": mother.name, "i": mother.id_number}, token=family["zhang"])
    )
    assert as_member["code"] == "FORBIDDEN"
    assert await AuditEntry.filter(action="payments.desk_read").count() == 0


# --- the counter code (付款码) ---------------------------------------------------------------


def counter_bill(ref: str, code: str, patient: str = "王秀英") -> dict[str, Any]:
    variables = bill_input(
        ref, ("药品", "DRUG", "80.00"), ("健身指导", "FITNESS", "20.00"), patient=patient
    )
    inner: dict[str, Any] = variables["i"]
    return inner | {"paymentCode": code}


async def test_the_patients_code_settles_a_counter_bill_once(
    api: Api, family: dict[str, str]
) -> None:
    made = (await api.data(CODE, {"a": family["auth"]}, token=family["mother"]))[
        "createPaymentCode"
    ]
    code = made["code"]
    assert len(code) == 18 and code.isdigit() and made["expiresAt"] == "2026-03-10T02:05:00+00:00"
    assert not await ApiKey.filter(key_hash__contains=code).exists()
    settled = await api.data(
        SETTLE, {"i": counter_bill("ZZ-C1", code), "k": "settle-zz-c1"}, token=HENAN_HOSPITAL
    )
    payment = settled["settleWithPaymentCode"]["payment"]
    assert payment | {"id": ""} == {
        "id": "",
        "acctMulaidPay": "80.00",
        "psnCashPay": "20.00",
        "bill": {"externalRef": "ZZ-C1", "status": "PAID"},
    }
    again = await api.data(
        SETTLE, {"i": counter_bill("ZZ-C1", code), "k": "settle-zz-c1"}, token=HENAN_HOSPITAL
    )
    assert again["settleWithPaymentCode"]["replayed"] is True
    assert again["settleWithPaymentCode"]["payment"]["id"] == payment["id"]
    reused = await api.data(
        SETTLE, {"i": counter_bill("ZZ-C2", code), "k": "settle-zz-c2"}, token=HENAN_HOSPITAL
    )
    assert reused["settleWithPaymentCode"]["errors"][0] | {"message": ""} == {
        "code": "PAYMENT_CODE_USED",
        "field": "paymentCode",
        "rule": "R22",
        "message": "",
    }
    kept = await api.data(BILLS, {"f": {"externalRef": "ZZ-C2"}}, token=HENAN_HOSPITAL)
    assert kept["institutionBills"]["totalCount"] == 0  # a refused settlement leaves no bill
    spent = await api.data(
        "{ authorizationsReceived { edges { node { spent } } } }", token=family["mother"]
    )
    assert nodes(spent["authorizationsReceived"]) == [{"spent": "80.00"}]


async def test_counter_code_refusals(api: Api, family: dict[str, str], clock: FixedClock) -> None:
    unknown = await api.data(
        SETTLE, {"i": counter_bill("ZZ-C3", "1" * 18), "k": "settle-zz-c3"}, token=HENAN_HOSPITAL
    )
    assert codes(unknown["settleWithPaymentCode"]) == ["PAYMENT_CODE_NOT_FOUND"]
    code = (await api.data(CODE, {"a": family["auth"]}, token=family["mother"]))[
        "createPaymentCode"
    ]["code"]
    someone_else = await api.data(
        SETTLE,
        {"i": counter_bill("ZZ-C4", code, patient="张伟"), "k": "settle-zz-c4"},
        token=HENAN_HOSPITAL,
    )
    assert someone_else["settleWithPaymentCode"]["errors"][0]["code"] == (
        "PAYMENT_CODE_NOT_FOR_PATIENT"
    )
    as_member = await api.data(
        SETTLE, {"i": counter_bill("ZZ-C5", code), "k": "settle-zz-c5"}, token=family["mother"]
    )
    assert codes(as_member["settleWithPaymentCode"]) == ["FORBIDDEN"]
    clock.advance(timedelta(minutes=5))
    expired = await api.data(
        SETTLE,
        {"i": counter_bill("ZZ-C6", code), "k": "settle-zz-c6"},
        token=HENAN_HOSPITAL,
        language="en",
    )
    assert expired["settleWithPaymentCode"]["errors"][0]["code"] == "PAYMENT_CODE_EXPIRED"
    assert "5 minutes" in expired["settleWithPaymentCode"]["errors"][0]["message"]
    bills = await api.data(BILLS, {}, token=HENAN_HOSPITAL)
    assert bills["institutionBills"]["totalCount"] == 0


async def test_only_the_relative_makes_a_code_for_an_active_authorization(
    api: Api, family: dict[str, str]
) -> None:
    by_authorizer = await api.data(CODE, {"a": family["auth"]}, token=family["zhang"])
    assert by_authorizer["createPaymentCode"] == {
        "code": None,
        "expiresAt": None,
        "errors": [
            {"code": "AUTHORIZATION_NOT_FOR_PATIENT", "field": "authorizationId", "rule": "R17"}
        ],
    }
    by_hospital = await api.data(CODE, {"a": family["auth"]}, token=HENAN_HOSPITAL)
    assert codes(by_hospital["createPaymentCode"]) == ["FORBIDDEN"]
    revoke = """mutation($a:ID!){ revokeAuthorization(authorizationId:$a){ errors { code } } }"""
    await api.data(revoke, {"a": family["auth"]}, token=family["zhang"])
    ended = await api.data(CODE, {"a": family["auth"]}, token=family["mother"])
    assert codes(ended["createPaymentCode"]) == ["AUTHORIZATION_NOT_ACTIVE"]
    missing = await api.data(
        CODE, {"a": "00000000-0000-0000-0000-000000000000"}, token=family["mother"]
    )
    assert codes(missing["createPaymentCode"]) == ["NOT_FOUND"]


# --- API keys -------------------------------------------------------------------------------


async def test_an_institution_rotates_its_keys_without_downtime(
    api: Api, clock: FixedClock
) -> None:
    (demo,) = (await api.data(KEYS, token=HENAN_HOSPITAL))["myApiKeys"]
    assert (demo["label"], demo["status"], demo["current"]) == ("demo", "ACTIVE", True)
    issued = (await api.data(ISSUE, {"l": "HIS 2027"}, token=HENAN_HOSPITAL))["issueApiKey"]
    new_key = issued["secret"]
    assert new_key.startswith("gjk_") and issued["apiKey"]["expiresAt"] is None
    listed = (await api.data(KEYS, token=new_key))["myApiKeys"]
    assert sorted((k["label"], k["current"]) for k in listed) == [
        ("HIS 2027", True),
        ("demo", False),
    ]
    assert new_key not in str(listed)
    assert any(new_key.startswith(k["prefix"]) for k in listed if k["label"] == "HIS 2027")
    revoked = await api.data(REVOKE_KEY, {"id": demo["id"]}, token=new_key)
    assert revoked["revokeApiKey"]["apiKey"]["status"] == "REVOKED"
    assert refusal(await api(KEYS, token=HENAN_HOSPITAL))["code"] == "TOKEN_INVALID"
    assert len((await api.data(KEYS, token=new_key))["myApiKeys"]) == 2


async def test_an_expired_key_is_refused_like_a_bad_one(api: Api, clock: FixedClock) -> None:
    issued = await api.data(ISSUE, {"l": "short-lived", "d": 1}, token=HENAN_HOSPITAL)
    key = issued["issueApiKey"]["secret"]
    assert issued["issueApiKey"]["apiKey"]["expiresAt"] == "2026-03-11T02:00:00+00:00"
    assert (await api.data(KEYS, token=key))["myApiKeys"]
    clock.advance(timedelta(days=1))
    assert refusal(await api(KEYS, token=key))["code"] == "TOKEN_INVALID"
    listed = (await api.data(KEYS, token=HENAN_HOSPITAL))["myApiKeys"]
    assert sorted((k["label"], k["status"]) for k in listed) == [
        ("demo", "ACTIVE"),
        ("short-lived", "EXPIRED"),
    ]


async def test_last_use_is_written_at_most_once_a_minute(api: Api, clock: FixedClock) -> None:
    await api.data(KEYS, token=HENAN_HOSPITAL)
    first = (await ApiKey.get(label="demo", institution__code="H41010500002")).last_used_at
    assert first == clock.now()
    clock.advance(timedelta(seconds=59))
    await api.data(KEYS, token=HENAN_HOSPITAL)
    same = (await ApiKey.get(label="demo", institution__code="H41010500002")).last_used_at
    assert same == first
    clock.advance(timedelta(seconds=1))
    listed = (await api.data(KEYS, token=HENAN_HOSPITAL))["myApiKeys"]
    assert listed[0]["lastUsedAt"] == "2026-03-10T02:01:00+00:00"


async def test_api_key_refusals(api: Api, family: dict[str, str]) -> None:
    blank = await api.data(ISSUE, {"l": "  "}, token=HENAN_HOSPITAL)
    assert blank["issueApiKey"]["errors"] == [{"code": "INVALID_INPUT", "field": "label"}]
    forever = await api.data(ISSUE, {"l": "x", "d": 0}, token=HENAN_HOSPITAL)
    assert forever["issueApiKey"]["errors"] == [{"code": "INVALID_INPUT", "field": "expiresInDays"}]
    for n in range(9):  # the demo key and nine more
        await api.data(ISSUE, {"l": f"till {n}"}, token=HENAN_HOSPITAL)
    full = await api.data(ISSUE, {"l": "one too many"}, token=HENAN_HOSPITAL)
    assert codes(full["issueApiKey"]) == ["API_KEY_LIMIT_REACHED"]
    theirs = (await api.data(KEYS, token=LANZHOU_HOSPITAL))["myApiKeys"][0]["id"]
    foreign = await api.data(REVOKE_KEY, {"id": theirs}, token=HENAN_HOSPITAL)
    assert foreign["revokeApiKey"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    assert (await api.data(KEYS, token=LANZHOU_HOSPITAL))["myApiKeys"][0]["status"] == "ACTIVE"
    as_member = await api.data(ISSUE, {"l": "mine"}, token=family["zhang"])
    assert codes(as_member["issueApiKey"]) == ["FORBIDDEN"]
    assert refusal(await api(KEYS, token=family["zhang"]))["code"] == "FORBIDDEN"
    assert refusal(await api(KEYS))["code"] == "UNAUTHENTICATED"
