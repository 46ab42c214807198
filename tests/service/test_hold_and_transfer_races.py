"""Holds and transfers under concurrency, on PostgreSQL/MySQL: many requests at once, then the
invariants (R10, R21, R22)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import pytest

from gongji import demo, jobs
from gongji.clock import FixedClock
from gongji.fraud.models import AuthorizationHold, HoldStatus
from gongji.fraud.service import end_held_authorization
from gongji.identity.principals import AgentPrincipal
from gongji.identity.rules import AgentScope
from gongji.ledger.models import Account, AccountKind
from gongji.ledger.service import reconcile
from gongji.wallets.models import Authorization, AuthorizationStatus, FamilyTransfer
from gongji.wallets.service import escrow_problems, member_owner, quota_problems
from tests.conftest import Api, bill_input, create_bill, join_family, member_id

pytestmark = [pytest.mark.concurrent, pytest.mark.usefixtures("demo_data")]

PHARMACY = demo.demo_api_key("P62010200003")
AUTHORIZE = """mutation($r:ID!,$q:Money!){ authorizeFamilyMember(relativeId:$r, quota:$q){
  authorization { id } errors { code } } }"""
PAY = """mutation($b:ID!,$a:ID!,$k:String!){ pay(billId:$b, authorizationId:$a, idempotencyKey:$k){
  payment { acctMulaidPay } errors { code } } }"""
SEND = """mutation($r:ID!,$a:Money!,$k:String!){ sendFamilyTransfer(recipientId:$r, amount:$a,
  idempotencyKey:$k){ transfer { id } errors { code } } }"""
ACCEPT = """mutation($t:ID!){ acceptFamilyTransfer(transferId:$t){
  transfer { status } errors { code } } }"""


async def assert_ledger_clean() -> None:
    report = await reconcile()
    assert report.clean, report.problems
    assert await quota_problems() == []
    assert await escrow_problems() == []
    assert not await Account.filter(balance__lt=0, allow_negative=False).exists()


async def mother_authorization(api: Api, quota: str) -> tuple[str, str, str]:
    zhang = await api.login("demo-zhangwei")
    mother = await api.login("demo-wangxiuying")
    granted = await api.data(
        AUTHORIZE, {"r": await member_id(api, mother), "q": quota}, token=zhang
    )
    return zhang, mother, granted["authorizeFamilyMember"]["authorization"]["id"]


async def pharmacy_bills(api: Api, count: int) -> list[str]:
    return list(
        await asyncio.gather(
            *(
                create_bill(
                    api,
                    PHARMACY,
                    bill_input(f"HOLD-{n:03d}", ("药品", "DRUG", "10.00"), visit="PHARMACY"),
                )
                for n in range(count)
            )
        )
    )


def refused(results: list[dict[str, Any]]) -> Counter[str]:
    return Counter(e["code"] for r in results for e in r["pay"]["errors"])


async def test_a_hold_racing_payments_lets_exactly_the_firing_one_through(api: Api) -> None:
    """F1 fires on the 6th pharmacy purchase: of 30 at once, 6 complete, 24 are held."""
    _zhang, mother, auth = await mother_authorization(api, "500.00")
    bills = await pharmacy_bills(api, 30)
    results = await asyncio.gather(
        *(
            api.data(PAY, {"b": b, "a": auth, "k": f"hold-race-{n:03d}"}, token=mother)
            for n, b in enumerate(bills)
        )
    )
    assert sum(1 for r in results if r["pay"]["payment"]) == 6
    assert refused(results) == Counter({"AUTHORIZATION_ON_HOLD": 24})
    holds = await AuthorizationHold.filter(authorization_id=auth)
    assert [(h.rule_id, h.status) for h in holds] == [("F1", HoldStatus.OPEN)]
    authorization = await Authorization.get(id=auth)
    assert (authorization.spent, authorization.hold_rule) == (6_000, "F1")
    await assert_ledger_clean()


async def test_an_agent_ending_a_hold_racing_payments_moves_money_once(
    api: Api, clock: FixedClock
) -> None:
    """The agent ends a held authorization while payments keep arriving: each is refused
    (held or ended), the unspent quota returns exactly once."""
    zhang, mother, auth = await mother_authorization(api, "500.00")
    bills = await pharmacy_bills(api, 26)
    first = [
        await api.data(PAY, {"b": b, "a": auth, "k": f"end-race-{n:03d}"}, token=mother)
        for n, b in enumerate(bills[:6])
    ]
    assert all(r["pay"]["payment"] for r in first)
    hold = await AuthorizationHold.get(authorization_id=auth)
    agent = AgentPrincipal(uuid.uuid4(), "lanzhou", "620100", AgentScope.CITY)

    async def end() -> None:
        await end_held_authorization(
            agent=agent, hold_id=hold.id, reason="核实为冒名购药，终止授权", now=clock.now()
        )

    results = await asyncio.gather(
        end(),
        *(
            api.data(PAY, {"b": b, "a": auth, "k": f"end-race-{n:03d}"}, token=mother)
            for n, b in enumerate(bills[6:], start=6)
        ),
    )
    pays = [r for r in results if r is not None]
    assert all(r["pay"]["payment"] is None for r in pays)
    assert set(refused(pays)) <= {"AUTHORIZATION_ON_HOLD", "AUTHORIZATION_NOT_ACTIVE"}
    authorization = await Authorization.get(id=auth)
    assert authorization.status is AuthorizationStatus.ENDED
    owner = member_owner(await member_id(api, zhang))
    wallet = await Account.get(kind=AccountKind.WALLET, owner=owner)
    assert wallet.balance == 300_000 - 6_000
    await assert_ledger_clean()


async def test_transfers_racing_on_one_wallet(api: Api) -> None:
    """张伟 (3000.00) sends 1200.00 to three relatives, five times each, all at once: at most
    two fit in the wallet, one per relative, and each key moves money once."""
    for name, relationship in (("李娜", "spouse"), ("张小明", "child")):
        await join_family("张伟", name, relationship)
    zhang = await api.login("demo-zhangwei")
    recipients = [
        await member_id(api, await api.login(code))
        for code in ("demo-lina", "demo-zhangxiaoming", "demo-wangxiuying")
    ]
    results = await asyncio.gather(
        *(
            api.data(SEND, {"r": r, "a": "1200.00", "k": f"send-race-{i}-{n % 3}"}, token=zhang)
            for i, r in enumerate(recipients)
            for n in range(5)
        )
    )
    sent = {
        r["sendFamilyTransfer"]["transfer"]["id"]
        for r in results
        if r["sendFamilyTransfer"]["transfer"]
    }
    errors = Counter(e["code"] for r in results for e in r["sendFamilyTransfer"]["errors"])
    assert len(sent) == 2, (sent, errors)  # 3000.00 holds two of 1200.00
    assert set(errors) <= {"FAMILY_TRANSFER_PENDING", "INSUFFICIENT_BALANCE"}
    assert await FamilyTransfer.all().count() == 2
    pending_to = await FamilyTransfer.all().values_list("recipient_id", flat=True)
    assert len(set(pending_to)) == 2
    await assert_ledger_clean()


async def test_accept_racing_the_six_oclock_return(api: Api, clock: FixedClock) -> None:
    """The relative accepts just as the job returns it: the money goes one way only."""
    await join_family("张伟", "李娜", "spouse")
    zhang = await api.login("demo-zhangwei")
    wife = await api.login("demo-lina")
    sent = await api.data(
        SEND, {"r": await member_id(api, wife), "a": "500.00", "k": "six-race-1"}, token=zhang
    )
    transfer = sent["sendFamilyTransfer"]["transfer"]["id"]
    row = await FamilyTransfer.get(id=transfer)
    accepted, report = await asyncio.gather(
        api.data(ACCEPT, {"t": transfer}, token=wife), jobs.run_due(row.due_at)
    )
    status = (await FamilyTransfer.get(id=transfer)).status.value
    took = accepted["acceptFamilyTransfer"]["transfer"] is not None
    assert (status, report.transfers_returned) == (("accepted", 0) if took else ("returned", 1))
    await assert_ledger_clean()
