"""Two institutions race to use one payment code, on PostgreSQL: exactly one settles (R22)."""

from __future__ import annotations

import asyncio

import pytest

from gongji.demo import demo_api_key
from gongji.ledger.service import reconcile
from gongji.payments.models import Bill, Payment, PaymentCode
from tests.conftest import Api, bill_input

pytestmark = [pytest.mark.concurrent, pytest.mark.usefixtures("demo_data")]

CODE = """mutation($a:ID!){ createPaymentCode(authorizationId:$a){ code errors { code } } }"""
SETTLE = """mutation($i:SettleWithPaymentCodeInput!,$k:String!){
  settleWithPaymentCode(input:$i, idempotencyKey:$k){
    payment { acctMulaidPay } errors { code } } }"""
HOSPITALS = ("H41010500002", "H62010200001")  # Zhengzhou and Lanzhou: Gansu shares nationwide


async def test_two_institutions_racing_one_code_settle_once(
    api: Api, family: dict[str, str]
) -> None:
    made = await api.data(CODE, {"a": family["auth"]}, token=family["mother"])
    code = made["createPaymentCode"]["code"]

    def counter_bill(ref: str) -> dict[str, object]:
        inner: dict[str, object] = bill_input(ref, ("药品", "DRUG", "60.00"))["i"]
        return inner | {"paymentCode": code}

    results = await asyncio.gather(
        *(
            api.data(
                SETTLE,
                {"i": counter_bill(f"RACE-{h}"), "k": f"race-settle-{h}"},
                token=demo_api_key(h),
            )
            for h in HOSPITALS
        )
    )
    outcomes = sorted(
        "settled"
        if r["settleWithPaymentCode"]["payment"]
        else r["settleWithPaymentCode"]["errors"][0]["code"]
        for r in results
    )
    assert outcomes == ["PAYMENT_CODE_USED", "settled"]
    assert await Payment.all().count() == 1
    assert await Bill.filter(external_ref__startswith="RACE-").count() == 1
    assert await PaymentCode.filter(used_at__isnull=False).count() == 1
    assert (await reconcile()).clean
