"""Money under concurrency, on PostgreSQL: many requests at once, then the invariants (R11, R22)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from gongji.ledger.models import Account, AccountKind
from gongji.ledger.service import reconcile
from gongji.money import parse_yuan
from gongji.payments.models import Payment
from gongji.wallets.models import Authorization
from gongji.wallets.service import quota_problems
from tests.conftest import CREATE_BILL, HENAN_HOSPITAL, Api, bill_input, mini_program, mother_id

pytestmark = [pytest.mark.concurrent, pytest.mark.usefixtures("demo_data")]

AUTHORIZE = mini_program("AuthorizeFamilyMember")
CHANGE = mini_program("ChangeAuthorization")
REVOKE = mini_program("RevokeAuthorization")
PAY = mini_program("Pay")


def pay(bill: str, authorization: str, key: str) -> dict[str, str]:
    return {"billId": bill, "authorizationId": authorization, "idempotencyKey": key}


async def setup(api: Api, quota: str, bills: int, amount: str) -> tuple[str, str, str, list[str]]:
    zhang = await api.login("demo-zhangwei")
    mother = await mother_id(api, zhang)
    granted = await api.data(AUTHORIZE, {"relativeId": mother, "quota": quota}, token=zhang)
    auth = granted["authorizeFamilyMember"]["authorization"]["id"]
    created = await asyncio.gather(
        *(
            api.data(
                CREATE_BILL,
                bill_input(f"RACE-{n:04d}", ("药品", "DRUG", amount)),
                token=HENAN_HOSPITAL,
            )
            for n in range(bills)
        )
    )
    bill_ids = [c["createBill"]["bill"]["id"] for c in created]
    return zhang, await api.login("demo-wangxiuying"), auth, bill_ids


async def pay_all(api: Api, mother: str, auth: str, bills: list[str]) -> list[dict[str, Any]]:
    return await asyncio.gather(
        *(
            api.data(PAY, pay(b, auth, f"race-pay-{n:04d}"), token=mother)
            for n, b in enumerate(bills)
        )
    )


def outcome(results: list[dict[str, Any]]) -> tuple[int, Counter[str]]:
    paid = sum(
        parse_yuan(r["pay"]["payment"]["acctMulaidPay"]) for r in results if r["pay"]["payment"]
    )
    refused = Counter(e["code"] for r in results for e in r["pay"]["errors"])
    return paid, refused


async def assert_ledger_clean() -> None:
    report = await reconcile()
    assert report.clean, report.problems
    assert await quota_problems() == []
    assert not await Account.filter(balance__lt=0, allow_negative=False).exists()


async def test_100_payments_against_one_partial_quota(api: Api) -> None:
    _zhang, mother, auth, bills = await setup(api, quota="500.00", bills=100, amount="30.00")
    results = await pay_all(api, mother, auth, bills)
    paid, refused = outcome(results)
    assert all(r["pay"]["payment"] or r["pay"]["errors"] for r in results)
    assert paid == 50_000  # 16 × 30.00 + one partial 20.00: never more than the quota
    assert refused == Counter({"QUOTA_EXHAUSTED": 83})
    assert await Payment.all().count() == 17
    authorization = await Authorization.get(id=auth)
    assert (authorization.quota, authorization.spent) == (50_000, 50_000)
    await assert_ledger_clean()


async def test_pay_racing_revoke(api: Api) -> None:
    zhang, mother, auth, bills = await setup(api, quota="500.00", bills=30, amount="10.00")
    revoke = api.data(REVOKE, {"authorizationId": auth}, token=zhang)
    *results, revoked = await asyncio.gather(*pay_all_calls(api, mother, auth, bills), revoke)
    assert revoked["revokeAuthorization"]["errors"] == []
    paid, refused = outcome(results)
    assert set(refused) <= {"AUTHORIZATION_NOT_ACTIVE"}
    assert all(r["pay"]["payment"] or r["pay"]["errors"] for r in results)  # all answered
    wallet = await Account.get(
        kind=AccountKind.WALLET, owner=f"member:{(await Authorization.get(id=auth)).authorizer_id}"
    )
    assert wallet.balance == 300_000 - paid  # the unspent quota came back, nothing else moved
    await assert_ledger_clean()


def pay_all_calls(api: Api, mother: str, auth: str, bills: list[str]) -> list[Any]:
    return [
        api.data(PAY, pay(b, auth, f"race-pay-{n:04d}"), token=mother) for n, b in enumerate(bills)
    ]


async def test_pay_racing_change(api: Api) -> None:
    zhang, mother, auth, bills = await setup(api, quota="200.00", bills=30, amount="10.00")
    lower = api.data(CHANGE, {"authorizationId": auth, "quota": "100.00"}, token=zhang)
    *results, changed = await asyncio.gather(*pay_all_calls(api, mother, auth, bills), lower)
    paid, refused = outcome(results)
    authorization = await Authorization.get(id=auth)
    if changed["changeAuthorization"]["errors"]:  # lowered too late: more than 100 already spent
        assert changed["changeAuthorization"]["errors"][0]["code"] == "QUOTA_BELOW_SPENT"
        assert authorization.quota == 20_000
    else:
        assert authorization.quota == 10_000
    assert paid == authorization.spent <= authorization.quota
    assert set(refused) <= {"QUOTA_EXHAUSTED"}
    await assert_ledger_clean()


async def test_20_concurrent_retries_move_money_once(api: Api) -> None:
    _zhang, mother, auth, bills = await setup(api, quota="500.00", bills=1, amount="42.00")
    variables = pay(bills[0], auth, "one-key-many-tries")
    results = await asyncio.gather(*(api.data(PAY, variables, token=mother) for _ in range(20)))
    ids = {r["pay"]["payment"]["id"] for r in results}
    assert len(ids) == 1 and all(r["pay"]["errors"] == [] for r in results)
    assert sorted(r["pay"]["replayed"] for r in results) == [False] + [True] * 19
    assert (await Authorization.get(id=auth)).spent == 4_200
    await assert_ledger_clean()
