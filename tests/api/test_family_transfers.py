"""亲情转账 (R10): wallet money to a relative, held until accepted, back at 06:00 China time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gongji import jobs
from gongji.audit.models import AuditEntry
from gongji.clock import FixedClock
from tests.conftest import Api, join_family, member_id, nodes

pytestmark = pytest.mark.usefixtures("reconciled")

SEND = """mutation($r:ID!,$a:Money!,$k:String!){ sendFamilyTransfer(recipientId:$r, amount:$a,
  idempotencyKey:$k){ replayed transfer { id amount status returnsAt settledAt
  sender { name } recipient { name } } errors { code field rule message } } }"""
ACCEPT = """mutation($t:ID!){ acceptFamilyTransfer(transferId:$t){
  transfer { id status settledAt } errors { code field } } }"""
DECLINE = """mutation($t:ID!){ declineFamilyTransfer(transferId:$t){
  transfer { id status } errors { code field } } }"""
WALLET = "{ myWallet { opened available } }"
MINE = "{ myFamilyTransfers { edges { node { id status amount sender { name } } } } }"
NOTICES = "{ myNotices(first: 20) { edges { node { kind counterpart amount transferId } } } }"


async def notices_of(api: Api, token: str) -> list[tuple[str, str, str]]:
    """(kind, counterpart, amount) of the member's transfer notices, newest first."""
    found = nodes((await api.data(NOTICES, token=token))["myNotices"])
    return [(n["kind"], n["counterpart"], n["amount"]) for n in found if n["transferId"]]


async def send(api: Api, token: str, to: str, amount: str, key: str) -> dict[str, Any]:
    data = await api.data(SEND, {"r": to, "a": amount, "k": key}, token=token)
    payload: dict[str, Any] = data["sendFamilyTransfer"]
    return payload


async def available(api: Api, token: str) -> str:
    wallet = (await api.data(WALLET, token=token))["myWallet"]
    return str(wallet["available"]) if wallet["opened"] else "closed"


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


@pytest.fixture
async def zhang(api: Api) -> dict[str, str]:
    """张伟 (3000.00 in his wallet), his mother 王秀英 and, joined for these tests, his wife
    李娜 (her own wallet holds 800.00)."""
    await join_family("张伟", "李娜", "spouse")
    tokens = {
        "zhang": await api.login("demo-zhangwei"),
        "mother": await api.login("demo-wangxiuying"),
        "wife": await api.login("demo-lina"),
    }
    return tokens | {
        "mother id": await member_id(api, tokens["mother"]),
        "wife id": await member_id(api, tokens["wife"]),
    }


async def test_held_until_the_relative_accepts(api: Api, zhang: dict[str, str]) -> None:
    sent = await send(api, zhang["zhang"], zhang["wife id"], "500.00", "ft-accept-1")
    transfer = sent["transfer"]
    assert sent["errors"] == [] and transfer["status"] == "PENDING"
    assert transfer["returnsAt"] == "2026-03-10T22:00:00+00:00"  # 06:00 on the 11th in China
    assert (transfer["sender"], transfer["recipient"]) == ({"name": "张伟"}, {"name": "李娜"})
    assert await available(api, zhang["zhang"]) == "2500.00"
    assert await available(api, zhang["wife"]) == "800.00"  # not hers until she accepts

    accepted = await api.data(ACCEPT, {"t": transfer["id"]}, token=zhang["wife"])
    assert accepted["acceptFamilyTransfer"]["transfer"]["status"] == "ACCEPTED"
    assert await available(api, zhang["wife"]) == "1300.00"
    again = await api.data(ACCEPT, {"t": transfer["id"]}, token=zhang["wife"])
    assert again["acceptFamilyTransfer"]["errors"] == []  # a retried accept moves nothing
    assert await available(api, zhang["wife"]) == "1300.00"
    theirs = nodes((await api.data(MINE, token=zhang["wife"]))["myFamilyTransfers"])
    assert theirs == [{"id": transfer["id"], "status": "ACCEPTED", "amount": "500.00",
                       "sender": {"name": "张伟"}}]  # fmt: skip
    actions = await AuditEntry.filter(subject_id=transfer["id"]).values_list("action", flat=True)
    assert sorted(actions) == ["family_transfer.accept", "family_transfer.send"]
    assert await notices_of(api, zhang["wife"]) == [("TRANSFER_RECEIVED", "张伟", "500.00")]
    assert await notices_of(api, zhang["zhang"]) == [("TRANSFER_ACCEPTED", "李娜", "500.00")]


async def test_a_relative_without_a_wallet_gets_one_on_accepting(
    api: Api, zhang: dict[str, str]
) -> None:
    assert await available(api, zhang["mother"]) == "closed"
    sent = await send(api, zhang["zhang"], zhang["mother id"], "100.00", "ft-mother-1")
    await api.data(ACCEPT, {"t": sent["transfer"]["id"]}, token=zhang["mother"])
    assert await available(api, zhang["mother"]) == "100.00"


async def test_declined_goes_straight_back(api: Api, zhang: dict[str, str]) -> None:
    sent = await send(api, zhang["zhang"], zhang["wife id"], "300.00", "ft-decline-1")
    declined = await api.data(DECLINE, {"t": sent["transfer"]["id"]}, token=zhang["wife"])
    assert declined["declineFamilyTransfer"]["transfer"]["status"] == "DECLINED"
    assert await available(api, zhang["zhang"]) == "3000.00"
    late = await api.data(ACCEPT, {"t": sent["transfer"]["id"]}, token=zhang["wife"])
    assert codes(late["acceptFamilyTransfer"]) == ["FAMILY_TRANSFER_NOT_PENDING"]
    assert await notices_of(api, zhang["zhang"]) == [("TRANSFER_DECLINED", "李娜", "300.00")]


async def test_unaccepted_returns_at_six_the_next_morning_china_time(
    api: Api, zhang: dict[str, str], clock: FixedClock
) -> None:
    sent = await send(api, zhang["zhang"], zhang["wife id"], "200.00", "ft-return-1")
    transfer_id = sent["transfer"]["id"]
    clock.at = datetime(2026, 3, 10, 21, 59, 59, tzinfo=UTC)  # 05:59:59 on the 11th in China
    assert await jobs.run_due(clock.now()) == jobs.JobReport(0, 0)
    assert await available(api, zhang["zhang"]) == "2800.00"

    clock.at = datetime(2026, 3, 10, 22, 0, tzinfo=UTC)  # 06:00: due, the job has not run yet
    late = await api.data(ACCEPT, {"t": transfer_id}, token=zhang["wife"])
    assert codes(late["acceptFamilyTransfer"]) == ["FAMILY_TRANSFER_NOT_PENDING"]
    clock.advance(timedelta(minutes=1))
    assert await jobs.run_due(clock.now()) == jobs.JobReport(1, 0)
    assert await jobs.run_due(clock.now()) == jobs.JobReport(0, 0)  # a second pass: nothing
    assert await available(api, zhang["zhang"]) == "3000.00"
    mine = nodes((await api.data(MINE, token=zhang["zhang"]))["myFamilyTransfers"])
    assert [t["status"] for t in mine] == ["RETURNED"]
    assert await notices_of(api, zhang["zhang"]) == [("TRANSFER_RETURNED", "李娜", "200.00")]
    assert await notices_of(api, zhang["wife"]) == [
        ("TRANSFER_RETURNED", "张伟", "200.00"),
        ("TRANSFER_RECEIVED", "张伟", "200.00"),
    ]
    again = await send(api, zhang["zhang"], zhang["wife id"], "200.00", "ft-return-2")
    assert again["errors"] == []  # nothing pending any more


async def test_one_pending_transfer_per_relative(api: Api, zhang: dict[str, str]) -> None:
    first = await send(api, zhang["zhang"], zhang["wife id"], "100.00", "ft-pending-1")
    second = await send(api, zhang["zhang"], zhang["wife id"], "50.00", "ft-pending-2")
    assert codes(second) == ["FAMILY_TRANSFER_PENDING"]
    assert second["errors"][0]["field"] == "recipientId" and second["errors"][0]["rule"] == "R10"
    other = await send(api, zhang["zhang"], zhang["mother id"], "50.00", "ft-pending-3")
    assert other["errors"] == []  # another relative is another slot
    await api.data(ACCEPT, {"t": first["transfer"]["id"]}, token=zhang["wife"])
    third = await send(api, zhang["zhang"], zhang["wife id"], "50.00", "ft-pending-4")
    assert third["errors"] == []


async def test_a_retry_moves_money_once(api: Api, zhang: dict[str, str]) -> None:
    first = await send(api, zhang["zhang"], zhang["wife id"], "100.00", "ft-retry-1")
    retry = await send(api, zhang["zhang"], zhang["wife id"], "100.00", "ft-retry-1")
    assert retry["replayed"] and retry["transfer"]["id"] == first["transfer"]["id"]
    assert await available(api, zhang["zhang"]) == "2900.00"
    changed = await send(api, zhang["zhang"], zhang["wife id"], "90.00", "ft-retry-1")
    assert codes(changed) == ["IDEMPOTENCY_KEY_REUSED"]


async def test_policy_limits(api: Api, zhang: dict[str, str], clock: FixedClock) -> None:
    over = await send(api, zhang["zhang"], zhang["wife id"], "2000.01", "ft-limit-1")
    assert codes(over) == ["TRANSFER_OVER_LIMIT"]
    poor = await send(api, zhang["zhang"], zhang["wife id"], "2000.00", "ft-limit-2")
    assert poor["errors"] == []
    broke = await send(api, zhang["zhang"], zhang["mother id"], "1000.01", "ft-limit-3")
    assert codes(broke) == ["INSUFFICIENT_BALANCE"]
    for n in range(2):  # the 2nd and 3rd of the day
        sent = await send(api, zhang["zhang"], zhang["mother id"], "1.00", f"ft-limit-{4 + n}")
        assert sent["errors"] == []
        await api.data(ACCEPT, {"t": sent["transfer"]["id"]}, token=zhang["mother"])
    fourth = await send(api, zhang["zhang"], zhang["mother id"], "1.00", "ft-limit-6")
    assert codes(fourth) == ["TRANSFER_DAILY_LIMIT_REACHED"]
    clock.at = datetime(2026, 3, 11, 14, 30, tzinfo=UTC)  # 22:30 on the 11th in China
    quiet = await send(api, zhang["zhang"], zhang["mother id"], "1.00", "ft-limit-7")
    assert codes(quiet) == ["TRANSFER_QUIET_HOURS"]


async def test_only_family_and_only_the_recipient(api: Api, zhang: dict[str, str]) -> None:
    aili = await api.login("demo-aili")
    stranger = await send(api, aili, zhang["wife id"], "10.00", "ft-who-1")
    assert codes(stranger) == ["NOT_IN_SAME_FAMILY"]
    me = await member_id(api, zhang["zhang"])
    assert codes(await send(api, zhang["zhang"], me, "10.00", "ft-who-2")) == [
        "CANNOT_TRANSFER_TO_SELF"
    ]
    resident = await send(api, zhang["mother"], zhang["wife id"], "10.00", "ft-who-3")
    assert codes(resident) == ["WALLET_NOT_OPEN"]  # a resident has no account to share (R1)
    sent = await send(api, zhang["zhang"], zhang["wife id"], "10.00", "ft-who-4")
    taken = await api.data(ACCEPT, {"t": sent["transfer"]["id"]}, token=zhang["mother"])
    assert codes(taken["acceptFamilyTransfer"]) == ["NOT_TRANSFER_RECIPIENT"]
    by_sender = await api.data(ACCEPT, {"t": sent["transfer"]["id"]}, token=zhang["zhang"])
    assert codes(by_sender["acceptFamilyTransfer"]) == ["NOT_TRANSFER_RECIPIENT"]


async def test_the_in_process_scheduler_returns_due_transfers(
    api: Api, zhang: dict[str, str], clock: FixedClock
) -> None:
    """GONGJI_JOBS_EVERY_SECONDS: the same pass inside the server, until it is cancelled."""
    await send(api, zhang["zhang"], zhang["wife id"], "200.00", "ft-scheduler-1")
    clock.at = datetime(2026, 3, 10, 22, 0, tzinfo=UTC)
    waits: list[float] = []

    async def stop_after_one_pass(seconds: float) -> None:
        waits.append(seconds)
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await jobs.keep_running(clock, 60, stop_after_one_pass)
    assert waits == [60]
    assert await available(api, await api.login("demo-zhangwei")) == "3000.00"
