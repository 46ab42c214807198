"""Commercial premiums under concurrency, on PostgreSQL (R16, R22): one payment per insurer
order whatever the keys, and a wallet never pays more than it holds."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from gongji.insurance import service as insurance
from gongji.insurance.models import CommercialPremium
from gongji.ledger.service import reconcile
from gongji.members.models import Member
from gongji.regions.policy import PolicyBook
from gongji.wallets.service import balances
from tests.conftest import START, Api, policy_book

pytestmark = [pytest.mark.concurrent, pytest.mark.usefixtures("demo_data")]

COMMERCIAL = """mutation($i:PayCommercialInsurancePremiumInput!){
  payCommercialInsurancePremium(input:$i){ premium { id } errors { code } } }"""


@pytest.fixture
def policies() -> PolicyBook:
    return policy_book(r620000={"commercial_insurance_allowed": True})


async def pay_all(api: Api, orders: list[dict[str, Any]]) -> Counter[str]:
    zhang = await api.login("demo-zhangwei")
    results = await asyncio.gather(
        *(api.data(COMMERCIAL, {"i": order}, token=zhang) for order in orders)
    )
    outcome: Counter[str] = Counter()
    for r in results:
        payload = r["payCommercialInsurancePremium"]
        outcome.update([e["code"] for e in payload["errors"]] or ["paid"])
    return outcome


async def order(n: int, number: str, amount: str) -> dict[str, Any]:
    mother = await Member.get(name="王秀英")
    return {
        "relativeId": str(mother.id),
        "insurerCode": "PICC",
        "orderNumber": number,
        "amount": amount,
        "idempotencyKey": f"race-commercial-{n:04d}",
    }


async def test_one_order_is_paid_once_whatever_the_keys(api: Api) -> None:
    await insurance.register_insurer(code="PICC", name="人保健康", now=START)
    outcome = await pay_all(api, [await order(n, "PICC-SAME", "100.00") for n in range(20)])
    assert outcome == Counter({"paid": 1, "INSURANCE_ORDER_REUSED": 19})
    assert await CommercialPremium.all().count() == 1
    assert (await reconcile()).clean


async def test_a_wallet_never_pays_more_than_it_holds(api: Api) -> None:
    await insurance.register_insurer(code="PICC", name="人保健康", now=START)
    zhang = await Member.get(name="张伟")
    assert (await balances(zhang.id)).wallet == 300_000  # 3,000.00: fifteen premiums of 200
    outcome = await pay_all(api, [await order(n, f"PICC-{n}", "200.00") for n in range(20)])
    assert outcome == Counter({"paid": 15, "INSUFFICIENT_BALANCE": 5})
    assert (await balances(zhang.id)).wallet == 0
    assert (await reconcile()).clean
