"""R20 against payments in flight, on PostgreSQL/MySQL: a death or a move racing `pay`
leaves each payment either whole (before the ending) or refused, never half of both."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

import pytest

from gongji.demo import demo_api_key
from gongji.ledger.models import Account, AccountKind
from gongji.ledger.service import reconcile
from gongji.lifecycle import service as lifecycle
from gongji.members.models import Member, id_number_is
from gongji.money import parse_yuan
from gongji.payments.models import Payment
from gongji.regions.policy import PolicyBook
from gongji.wallets import service as wallets
from gongji.wallets.models import Authorization, AuthorizationStatus
from tests.conftest import START, Api, bill_input, create_bill, person

pytestmark = [pytest.mark.concurrent, pytest.mark.usefixtures("demo_data")]
HOSPITAL = demo_api_key("H41010500002")
PAY = """mutation($b:ID!,$a:ID!,$k:String!){ pay(billId:$b, authorizationId:$a, idempotencyKey:$k){
  payment { acctMulaidPay } errors { code } } }"""
ZHANG = person("张伟").id_number


async def race(
    api: Api, family: dict[str, str], ending: Callable[[], Awaitable[object]]
) -> tuple[int, Counter[str]]:
    bills = await asyncio.gather(
        *(
            create_bill(api, HOSPITAL, bill_input(f"LIFE-{n:03d}", ("药品", "DRUG", "10.00")))
            for n in range(30)
        )
    )
    pays = [
        api.data(
            PAY, {"b": b, "a": family["auth"], "k": f"life-race-{n:03d}"}, token=family["mother"]
        )
        for n, b in enumerate(bills)
    ]
    first = [asyncio.ensure_future(p) for p in pays[:15]]
    await asyncio.wait(first, return_when=asyncio.FIRST_COMPLETED)  # one has paid
    # the ending starts with the second half of the payments, the first half's rest in flight
    _ended, *later = await asyncio.gather(ending(), *pays[15:])
    answers = [r["pay"] for r in [*await asyncio.gather(*first), *later]]
    paid = sum(parse_yuan(a["payment"]["acctMulaidPay"]) for a in answers if a["payment"])
    refused = Counter(e["code"] for a in answers for e in a["errors"])
    assert all(bool(a["payment"]) != bool(a["errors"]) for a in answers)
    assert paid >= 1_000
    return paid, refused


async def assert_settled(authorization_id: str, paid: int) -> None:
    authorization = await Authorization.get(id=authorization_id)
    assert authorization.status is AuthorizationStatus.ENDED
    assert authorization.spent == paid == sum(p.family_amount for p in await Payment.all())
    hospital = await Account.get(kind=AccountKind.INSTITUTION, owner__startswith="institution:")
    assert hospital.balance == paid
    report = await reconcile()
    assert report.clean, report.problems
    assert await wallets.quota_problems() == []


async def test_death_racing_payments(api: Api, family: dict[str, str]) -> None:
    zhang_id = (await Member.get(**id_number_is(ZHANG))).id
    zhang = await wallets.balances(zhang_id)
    total = zhang.carryover + zhang.current + zhang.wallet + zhang.reserved

    async def die() -> object:
        return await lifecycle.record_death(id_number=ZHANG, now=START, by="race")

    paid, refused = await race(api, family, die)
    assert set(refused) <= {"AUTHORIZATION_NOT_ACTIVE"}
    await assert_settled(family["auth"], paid)
    estate = await Account.get(kind=AccountKind.ESTATE, owner=f"member:{zhang_id}")
    assert estate.balance == total - paid  # everything he had, less what was paid before


async def test_move_racing_payments(api: Api, family: dict[str, str]) -> None:
    zhang_id = (await Member.get(**id_number_is(ZHANG))).id
    before = await wallets.balances(zhang_id)

    async def move() -> object:
        return await lifecycle.record_move(
            id_number=ZHANG, region="440300", policies=PolicyBook.load(), now=START, by="race"
        )

    paid, refused = await race(api, family, move)
    assert set(refused) <= {"AUTHORIZATION_NOT_ACTIVE"}
    await assert_settled(family["auth"], paid)
    after = await wallets.balances(zhang_id)
    assert after.wallet == before.wallet + before.reserved - paid
    assert (after.carryover, after.current, after.reserved) == (
        before.carryover,
        before.current,
        0,
    )
