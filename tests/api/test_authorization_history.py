"""授权记录 (R26, seed 001 Fuxin: 查看授权记录): both sides see every event of an
authorization — created, quota changed, revoked or ended, each use, each refund — with time
and actor, as a connection."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gongji.clock import FixedClock
from tests.conftest import URUMQI_HOSPITAL, Api, bill_input, create_bill, nodes

pytestmark = pytest.mark.usefixtures("reconciled")

EVENT = "kind actorKind occurredAt member { name } institutionCode quota amount"
GRANTED = (
    "query($n:Int,$c:String){ authorizationsGranted { edges { node { id history(first:$n,"
    " after:$c){ totalCount pageInfo { hasNextPage endCursor } edges { node { " + EVENT + " } } }"
    " } } } }"
)
RECEIVED = GRANTED.replace("authorizationsGranted", "authorizationsReceived")
PAY = """mutation($b:ID!,$a:ID!){ pay(billId:$b, authorizationId:$a, idempotencyKey:"hist-pay-1"){
  payment { id } errors { code } } }"""
REFUND = """mutation($p:ID!){ refundPayment(paymentId:$p, amount:"10.00", reason:"退药",
  idempotencyKey:"hist-refund-1"){ errors { code } } }"""
CHANGE = """mutation($a:ID!){ changeAuthorization(authorizationId:$a, quota:"150.00"){
  errors { code } } }"""
REVOKE = """mutation($a:ID!){ revokeAuthorization(authorizationId:$a){ errors { code } } }"""


def history_of(data: dict[str, Any], field: str) -> dict[str, Any]:
    history: dict[str, Any] = nodes(data[field])[0]["history"]
    return history


async def ok(api: Api, document: str, variables: dict[str, Any], token: str) -> Any:
    data = await api.data(document, variables, token=token)
    payload = next(iter(data.values()))
    assert payload["errors"] == [], payload
    return payload


async def test_both_sides_see_every_event_with_time_and_actor(api: Api, clock: FixedClock) -> None:
    aili, daughter = await api.login("demo-aili"), await api.login("demo-ayiguli")
    granted = await api.data(GRANTED, token=aili)
    auth = nodes(granted["authorizationsGranted"])[0]["id"]
    bill = await create_bill(
        api,
        URUMQI_HOSPITAL,
        bill_input("HIST-1", ("阿莫西林", "DRUG", "30.00"), patient="阿依古丽"),
    )
    clock.advance(timedelta(minutes=1))
    paid = await ok(api, PAY, {"b": bill, "a": auth}, daughter)
    clock.advance(timedelta(minutes=1))
    await ok(api, REFUND, {"p": paid["payment"]["id"]}, URUMQI_HOSPITAL)
    clock.advance(timedelta(minutes=1))
    await ok(api, CHANGE, {"a": auth}, aili)
    clock.advance(timedelta(minutes=1))
    await ok(api, REVOKE, {"a": auth}, daughter)

    mine = history_of(await api.data(GRANTED, token=aili), "authorizationsGranted")
    theirs = history_of(await api.data(RECEIVED, token=daughter), "authorizationsReceived")
    assert mine == theirs
    assert mine["totalCount"] == 5
    events = [
        (e["kind"], e["actorKind"], (e["member"] or {}).get("name"), e["quota"], e["amount"])
        for e in nodes(mine)
    ]
    assert events == [
        ("REVOKED", "MEMBER", "阿依古丽", None, None),
        ("QUOTA_CHANGED", "MEMBER", "艾力·买买提", "150.00", None),
        ("REFUNDED", "INSTITUTION", None, None, "10.00"),
        ("USED", "MEMBER", "阿依古丽", None, "30.00"),
        ("CREATED", "MEMBER", "艾力·买买提", "200.00", None),
    ]
    used = nodes(mine)[3]
    assert used["institutionCode"] == "H65010200001"
    times = [e["occurredAt"] for e in nodes(mine)]
    assert times == sorted(times, reverse=True)


async def test_pages_of_the_history_add_up_to_the_whole(api: Api) -> None:
    """Events at the same instant (a fixed clock) are paged without loss or repeat."""
    aili = await api.login("demo-aili")
    auth = nodes((await api.data(GRANTED, token=aili))["authorizationsGranted"])[0]["id"]
    for quota in ("210.00", "220.00", "230.00", "240.00"):
        changed = await api.data(CHANGE.replace('"150.00"', f'"{quota}"'), {"a": auth}, token=aili)
        assert changed["changeAuthorization"]["errors"] == []
    whole = nodes(history_of(await api.data(GRANTED, token=aili), "authorizationsGranted"))
    assert [e["quota"] for e in whole] == ["240.00", "230.00", "220.00", "210.00", "200.00"]
    paged: list[Any] = []
    cursor = None
    while True:
        page = history_of(
            await api.data(GRANTED, {"n": 2, "c": cursor}, token=aili), "authorizationsGranted"
        )
        paged += nodes(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    assert paged == whole


async def test_an_authorization_ended_by_leaving_the_family_shows_who_ended_it(
    api: Api,
) -> None:
    zhang, mother = await api.login("demo-zhangwei"), await api.login("demo-wangxiuying")
    groups = await api.data("{ myFamilyGroups { id members { person { id name } } } }", token=zhang)
    group = groups["myFamilyGroups"][0]
    mother_id = next(m["person"]["id"] for m in group["members"] if m["person"]["name"] == "王秀英")
    await ok(
        api,
        'mutation($r:ID!){ authorizeFamilyMember(relativeId:$r, quota:"100.00"){'
        " errors { code } } }",
        {"r": mother_id},
        zhang,
    )
    await ok(
        api,
        "mutation($g:ID!){ leaveFamilyGroup(groupId:$g){ errors { code } } }",
        {"g": group["id"]},
        mother,
    )
    events = nodes(history_of(await api.data(RECEIVED, token=mother), "authorizationsReceived"))
    assert [(e["kind"], e["actorKind"], e["member"]["name"]) for e in events] == [
        ("ENDED", "MEMBER", "王秀英"),
        ("CREATED", "MEMBER", "张伟"),
    ]


async def test_a_bad_cursor_is_refused(api: Api) -> None:
    aili = await api.login("demo-aili")
    body = await api(GRANTED, {"n": 2, "c": "not-a-cursor"}, token=aili)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
