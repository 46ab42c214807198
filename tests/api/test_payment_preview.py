"""paymentPreview: the patient sees the split before paying, and pay then does exactly that."""

from __future__ import annotations

from typing import Any

import pytest

from gongji.demo import demo_api_key
from tests.conftest import Api, bill_input, create_bill

pytestmark = pytest.mark.usefixtures("reconciled")

HENAN_HOSPITAL = demo_api_key("H41010500002")
SPLIT = "psnPartAmt acctMulaidPay psnCashPay excludedAmount"
PREVIEW = (
    "query($b:ID!,$a:ID!){ paymentPreview(billId:$b, authorizationId:$a){ preview { "
    + SPLIT
    + " medfeeSumamt hifpPay remainingQuota remainingAfter authorizer { name }"
    " excludedLines { name category amount reason } notes } errors { code field rule message } } }"
)
PAY = (
    "mutation($b:ID!,$a:ID!,$k:String!){ pay(billId:$b, authorizationId:$a, idempotencyKey:$k){"
    " payment { " + SPLIT + " excludedItems } errors { code field rule message } } }"
)
STATUS = "query($b:ID!){ bill(id:$b){ status } }"


async def _preview(api: Api, bill: str, auth: str, token: str, **kw: Any) -> Any:
    data = await api.data(PREVIEW, {"b": bill, "a": auth}, token=token, **kw)
    return data["paymentPreview"]


async def _pay(api: Api, bill: str, auth: str, token: str, key: str) -> Any:
    data = await api.data(PAY, {"b": bill, "a": auth, "k": key}, token=token)
    return data["pay"]


async def test_the_preview_is_what_pay_then_does(api: Api, family: dict[str, str]) -> None:
    bill = await create_bill(
        api,
        HENAN_HOSPITAL,
        bill_input(
            "PV-0001",
            ("阿莫西林胶囊", "DRUG", "86.00"),
            ("血常规", "EXAMINATION", "34.00"),
            ("康复健身指导", "FITNESS", "80.00"),
            fund="60.00",
        ),
    )
    found = await _preview(api, bill, family["auth"], family["mother"])
    assert found["errors"] == []
    preview = found["preview"]
    assert preview["excludedLines"] == [
        {
            "name": "康复健身指导",
            "category": "FITNESS",
            "amount": "80.00",
            "reason": "体育健身不能用共济资金支付，由个人现金支付（R15）。",
        }
    ]
    assert (preview["remainingQuota"], preview["remainingAfter"]) == ("500.00", "440.00")
    assert preview["authorizer"] == {"name": "张伟"}
    assert preview["notes"][-1] == "本次共济支付60.00元，个人现金支付80.00元。"

    # read-only: nothing moved, the bill is still open and the preview says the same again
    assert (await api.data(STATUS, {"b": bill}, token=family["mother"]))["bill"]["status"] == "OPEN"
    assert await _preview(api, bill, family["auth"], family["mother"]) == found

    paid = await _pay(api, bill, family["auth"], family["mother"], "pay-pv-0001")
    payment = paid["payment"]
    assert {k: payment[k] for k in SPLIT.split()} == {k: preview[k] for k in SPLIT.split()}
    assert payment["excludedItems"] == [line["name"] for line in preview["excludedLines"]]


async def test_the_preview_shows_the_quota_cap_in_words(api: Api, family: dict[str, str]) -> None:
    bill = await create_bill(
        api, HENAN_HOSPITAL, bill_input("PV-BIG", ("住院药品", "DRUG", "900.00"))
    )
    preview = (await _preview(api, bill, family["auth"], family["mother"]))["preview"]
    assert (preview["acctMulaidPay"], preview["psnCashPay"]) == ("500.00", "400.00")
    assert "共济额度仅剩500.00元，超出的400.00元由个人现金支付（R11）。" in preview["notes"]
    english = await _preview(api, bill, family["auth"], family["mother"], language="en")
    assert english["preview"]["notes"][-1] == "Family money pays 500.00, you pay 400.00 in cash."
    paid = await _pay(api, bill, family["auth"], family["mother"], "pay-pv-big1")
    assert (paid["payment"]["acctMulaidPay"], paid["payment"]["psnCashPay"]) == (
        "500.00",
        "400.00",
    )


async def test_the_preview_refuses_as_pay_would(api: Api, family: dict[str, str]) -> None:
    fitness = await create_bill(
        api, HENAN_HOSPITAL, bill_input("PV-FIT", ("健身课程", "FITNESS", "300.00"))
    )
    drug = await create_bill(api, HENAN_HOSPITAL, bill_input("PV-R17", ("药品", "DRUG", "10.00")))
    cases = [
        (fitness, family["mother"], "pv-fit-1"),  # BILL_NOT_COVERABLE, R15
        (drug, family["zhang"], "pv-r17-1"),  # NOT_BILL_PATIENT: the son is not the patient
    ]
    for bill, token, key in cases:
        refused = await _preview(api, bill, family["auth"], token)
        assert refused["preview"] is None
        paid = await _pay(api, bill, family["auth"], token, key)
        assert refused["errors"] == paid["errors"]
        assert refused["errors"][0]["code"] in {"BILL_NOT_COVERABLE", "NOT_BILL_PATIENT"}

    await _pay(api, drug, family["auth"], family["mother"], "pv-r17-2")
    again = await _preview(api, drug, family["auth"], family["mother"])
    assert [e["code"] for e in again["errors"]] == ["BILL_ALREADY_PAID"]


async def test_an_ended_authorization_cannot_be_previewed(api: Api, family: dict[str, str]) -> None:
    bill = await create_bill(api, HENAN_HOSPITAL, bill_input("PV-END", ("药品", "DRUG", "10.00")))
    revoked = await api.data(
        "mutation($a:ID!){ revokeAuthorization(authorizationId:$a){ errors { code } } }",
        {"a": family["auth"]},
        token=family["mother"],  # the relative ends it (R9)
    )
    assert revoked["revokeAuthorization"]["errors"] == []
    refused = await _preview(api, bill, family["auth"], family["mother"])
    paid = await _pay(api, bill, family["auth"], family["mother"], "pv-end-1")
    assert [e["code"] for e in refused["errors"]] == ["AUTHORIZATION_NOT_ACTIVE"]
    assert refused["errors"] == paid["errors"]


async def test_the_preview_needs_a_verified_member(api: Api, family: dict[str, str]) -> None:
    stranger = await api.login("mock-nobody")
    found = await _preview(api, family["auth"], family["auth"], stranger)
    assert [e["code"] for e in found["errors"]] == ["IDENTITY_NOT_VERIFIED"]
    anonymous = await api(PREVIEW, {"b": family["auth"], "a": family["auth"]})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
