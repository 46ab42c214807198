"""Notices: each event tells the right person, in the change's transaction; read state;
the WeChat channel sends after commit and retries what failed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gongji.clock import FixedClock
from gongji.families.service import expire_invitations
from gongji.notices import delivery
from gongji.notices.models import Notice, WechatState
from gongji.notices.wechat import MockMessageSender, WechatOutbox
from tests.conftest import (
    HENAN_HOSPITAL,
    Api,
    bill_input,
    create_bill,
    nodes,
    person,
)

NOTICES = """query($u:Boolean!){ myNotices(first: 50, unreadOnly: $u) { totalCount
  edges { node { id kind text textEn counterpart institution amount quota remaining
                 authorizationId invitationId readAt } } } }"""


async def notices(api: Api, token: str, *, unread_only: bool = False) -> list[dict[str, Any]]:
    data = await api.data(NOTICES, {"u": unread_only}, token=token)
    found: list[dict[str, Any]] = nodes(data["myNotices"])
    return found


async def told(api: Api, token: str, kind: str) -> dict[str, Any]:
    """The newest notice of this kind (the test clock stands still: order by kind, not time)."""
    return next(n for n in await notices(api, token) if n["kind"] == kind)


def kinds(found: list[dict[str, Any]]) -> list[str]:
    return [n["kind"] for n in found]


async def pay(api: Api, family: dict[str, str], ref: str, amount: str) -> dict[str, Any]:
    bill = await create_bill(api, HENAN_HOSPITAL, bill_input(ref, ("阿莫西林", "DRUG", amount)))
    data = await api.data(
        "mutation($b:ID!,$a:ID!,$k:String!){ pay(billId:$b, authorizationId:$a,"
        " idempotencyKey:$k){ payment { id acctMulaidPay } errors { code } } }",
        {"b": bill, "a": family["auth"], "k": f"key-{ref}"},
        token=family["mother"],
    )
    assert data["pay"]["errors"] == [], data
    return {"bill": bill, **data["pay"]["payment"]}


async def test_granting_tells_the_relative_and_reminds_her_to_choose_family_pay_r23(
    api: Api, demo_data: None, family: dict[str, str]
) -> None:
    found = await notices(api, family["mother"])
    assert kinds(found) == ["AUTHORIZATION_GRANTED", "PAY_WITH_FAMILY_REMINDER"] or kinds(
        found
    ) == ["PAY_WITH_FAMILY_REMINDER", "AUTHORIZATION_GRANTED"]
    granted = next(n for n in found if n["kind"] == "AUTHORIZATION_GRANTED")
    assert granted["counterpart"] == "张伟"
    assert granted["quota"] == "500.00"
    assert granted["authorizationId"] == family["auth"]
    reminder = next(n for n in found if n["kind"] == "PAY_WITH_FAMILY_REMINDER")
    assert "家庭共济" in reminder["text"]


async def test_each_use_tells_the_authorizer_who_where_how_much_and_what_is_left(
    api: Api, demo_data: None, family: dict[str, str]
) -> None:
    await pay(api, family, "N-0001", "120.00")
    used = await notices(api, family["zhang"])
    assert kinds(used) == ["AUTHORIZATION_USED"]
    assert used[0]["counterpart"] == "王秀英"
    assert used[0]["institution"] == "郑州市中心医院"
    assert (used[0]["amount"], used[0]["remaining"]) == ("120.00", "380.00")
    assert "阿莫西林" not in used[0]["text"] + used[0]["textEn"]  # never line items


async def test_the_quota_nearly_used_up_is_told_to_both_once(
    api: Api, demo_data: None, family: dict[str, str]
) -> None:
    await pay(api, family, "N-0002", "390.00")  # 110.00 of 500.00 left: 22 %
    assert "QUOTA_NEARLY_USED_UP" not in kinds(await notices(api, family["zhang"]))
    await pay(api, family, "N-0003", "20.00")  # 90.00 left: 18 %, under the 20 % threshold
    await pay(api, family, "N-0004", "10.00")  # still under: not told again
    zhang = kinds(await notices(api, family["zhang"]))
    mother = await notices(api, family["mother"])
    assert zhang.count("QUOTA_NEARLY_USED_UP") == 1
    assert zhang.count("AUTHORIZATION_USED") == 3
    low = [n for n in mother if n["kind"] == "QUOTA_NEARLY_USED_UP"]
    assert len(low) == 1
    assert (low[0]["remaining"], low[0]["quota"], low[0]["counterpart"]) == (
        "90.00",
        "500.00",
        "张伟",
    )


async def test_a_refund_tells_the_authorizer(
    api: Api, demo_data: None, family: dict[str, str]
) -> None:
    paid = await pay(api, family, "N-0005", "100.00")
    data = await api.data(
        'mutation($b:ID!){ refundBill(billId:$b, amount:"30.00", reason:"退药",'
        ' idempotencyKey:"n-refund-1"){ errors { code } } }',
        {"b": paid["bill"]},
        token=HENAN_HOSPITAL,
    )
    assert data["refundBill"]["errors"] == []
    refunded = await told(api, family["zhang"], "AUTHORIZATION_REFUNDED")
    assert (refunded["amount"], refunded["remaining"]) == ("30.00", "430.00")


async def test_change_and_revoke_tell_the_other_side(
    api: Api, demo_data: None, family: dict[str, str]
) -> None:
    change = await api.data(
        'mutation($a:ID!){ changeAuthorization(authorizationId:$a, quota:"300.00"){'
        " errors { code } } }",
        {"a": family["auth"]},
        token=family["zhang"],
    )
    assert change["changeAuthorization"]["errors"] == []
    changed = await told(api, family["mother"], "AUTHORIZATION_CHANGED")
    assert (changed["kind"], changed["quota"], changed["remaining"]) == (
        "AUTHORIZATION_CHANGED",
        "300.00",
        "300.00",
    )
    revoke = await api.data(
        "mutation($a:ID!){ revokeAuthorization(authorizationId:$a){ errors { code } } }",
        {"a": family["auth"]},
        token=family["mother"],
    )
    assert revoke["revokeAuthorization"]["errors"] == []
    revoked = await told(api, family["zhang"], "AUTHORIZATION_REVOKED")
    assert (revoked["kind"], revoked["counterpart"], revoked["amount"]) == (
        "AUTHORIZATION_REVOKED",
        "王秀英",
        "300.00",
    )
    assert "AUTHORIZATION_REVOKED" not in kinds(await notices(api, family["mother"]))


async def test_leaving_the_group_ends_the_authorization_and_tells_both(
    api: Api, demo_data: None, family: dict[str, str]
) -> None:
    groups = await api.data("{ myFamilyGroups { id } }", token=family["mother"])
    left = await api.data(
        "mutation($g:ID!){ leaveFamilyGroup(groupId:$g){ errors { code } } }",
        {"g": groups["myFamilyGroups"][0]["id"]},
        token=family["mother"],
    )
    assert left["leaveFamilyGroup"]["errors"] == []
    for token, other in ((family["zhang"], "王秀英"), (family["mother"], "张伟")):
        ended = await told(api, token, "AUTHORIZATION_ENDED")
        assert (ended["kind"], ended["counterpart"], ended["amount"]) == (
            "AUTHORIZATION_ENDED",
            other,
            "500.00",
        )


INVITE = """mutation($i:InviteFamilyMemberInput!){ inviteFamilyMember(input:$i){
  invitation { id } errors { code } } }"""


async def _invite(api: Api, inviter: str, name: str, relationship: str) -> str:
    groups = await api.data("{ myFamilyGroups { id } }", token=inviter)
    data = await api.data(
        INVITE,
        {
            "i": {
                "groupId": groups["myFamilyGroups"][0]["id"],
                "name": name,
                "idNumber": person(name).id_number,
                "relationship": relationship,
            }
        },
        token=inviter,
    )
    assert data["inviteFamilyMember"]["errors"] == [], data
    invitation: str = data["inviteFamilyMember"]["invitation"]["id"]
    return invitation


async def _verified(api: Api, code: str, name: str) -> str:
    token = await api.login(code)
    verify_id = await api.face_verify(token, name, person(name).id_number, passed=True)
    await api.data(
        "mutation($v:String!){verifyIdentity(verifyId:$v){errors{code}}}",
        {"v": verify_id},
        token=token,
    )
    return token


async def test_invitations_tell_the_invitee_then_the_inviter(api: Api, demo_data: None) -> None:
    aili = await api.login("demo-aili")
    zhao = await _verified(api, "demo-zhaomin", "赵敏")
    invitation = await _invite(api, aili, "赵敏", "SIBLING")
    received = await told(api, zhao, "INVITATION_RECEIVED")
    assert (received["kind"], received["counterpart"], received["invitationId"]) == (
        "INVITATION_RECEIVED",
        "艾力·买买提",
        invitation,
    )
    declined = await api.data(
        "mutation($i:ID!){ declineInvitation(invitationId:$i){ errors { code } } }",
        {"i": invitation},
        token=zhao,
    )
    assert declined["declineInvitation"]["errors"] == []
    declined_notice = await told(api, aili, "INVITATION_DECLINED")
    assert declined_notice["counterpart"] == "赵敏"

    again = await _invite(api, aili, "赵敏", "SIBLING")
    revoked = await api.data(
        "mutation($i:ID!){ revokeInvitation(invitationId:$i){ errors { code } } }",
        {"i": again},
        token=aili,
    )
    assert revoked["revokeInvitation"]["errors"] == []
    assert (await told(api, zhao, "INVITATION_REVOKED"))["counterpart"] == "艾力·买买提"

    third = await _invite(api, aili, "赵敏", "SIBLING")
    accepted = await api.data(
        "mutation($i:ID!,$v:String){ acceptInvitation(invitationId:$i, verifyId:$v){"
        " errors { code } } }",
        {
            "i": third,
            "v": await api.face_verify(zhao, "赵敏", person("赵敏").id_number, passed=True),
        },
        token=zhao,
    )
    assert accepted["acceptInvitation"]["errors"] == []
    assert (await told(api, aili, "INVITATION_ACCEPTED"))["counterpart"] == "赵敏"


async def test_an_expired_invitation_is_told_to_both_sides(
    api: Api, demo_data: None, clock: FixedClock
) -> None:
    aili = await api.login("demo-aili")
    zhao = await _verified(api, "demo-zhaomin", "赵敏")
    await _invite(api, aili, "赵敏", "SIBLING")
    assert await expire_invitations(now=clock.now()) == 0
    clock.advance(timedelta(days=8))
    assert await expire_invitations(now=clock.now()) == 1
    assert await expire_invitations(now=clock.now()) == 0  # once
    aili, zhao = await api.login("demo-aili"), await api.login("demo-zhaomin")  # a week on
    assert (await told(api, aili, "INVITATION_EXPIRED"))["counterpart"] == "赵敏"
    assert (await told(api, zhao, "INVITATION_EXPIRED"))["counterpart"] == "艾力·买买提"


async def test_mark_read_by_ids_or_all_is_idempotent_and_only_ones_own(
    api: Api, demo_data: None, family: dict[str, str]
) -> None:
    await pay(api, family, "N-0006", "10.00")
    mine = await notices(api, family["mother"])
    first = mine[0]["id"]
    theirs = (await told(api, family["zhang"], "AUTHORIZATION_USED"))["id"]
    mark = "mutation($i:[ID!]){ markNoticesRead(ids:$i){ marked unread errors { code } } }"
    done = (await api.data(mark, {"i": [first, theirs]}, token=family["mother"]))["markNoticesRead"]
    assert (done["marked"], done["unread"], done["errors"]) == (1, len(mine) - 1, [])
    again = (await api.data(mark, {"i": [first]}, token=family["mother"]))["markNoticesRead"]
    assert again["marked"] == 0
    assert (await told(api, family["zhang"], "AUTHORIZATION_USED"))["readAt"] is None
    unread = await notices(api, family["mother"], unread_only=True)
    assert first not in [n["id"] for n in unread]
    everything = await api.data(
        "mutation { markNoticesRead(all: true){ marked unread } }", token=family["mother"]
    )
    assert everything["markNoticesRead"]["unread"] == 0
    assert await notices(api, family["mother"], unread_only=True) == []


async def test_a_refused_change_writes_no_notice(
    api: Api, demo_data: None, family: dict[str, str]
) -> None:
    before = await Notice.all().count()
    refused = await api.data(
        'mutation($a:ID!){ changeAuthorization(authorizationId:$a, quota:"999999.00"){'
        " errors { code } } }",
        {"a": family["auth"]},
        token=family["zhang"],
    )
    assert refused["changeAuthorization"]["errors"] != []
    assert await Notice.all().count() == before


async def test_wechat_messages_go_after_commit_and_a_failure_is_retried(
    api: Api, demo_data: None, family: dict[str, str], clock: FixedClock
) -> None:
    outbox = delivery.current().outbox
    assert isinstance(outbox, WechatOutbox)
    sender = outbox.sender
    assert isinstance(sender, MockMessageSender)
    await outbox.settled()
    sender.failures = 1
    await pay(api, family, "N-0007", "50.00")
    await outbox.settled()
    used = await Notice.get(kind="authorization_used")
    assert used.wechat_state is WechatState.PENDING  # the send failed: kept for later
    assert used.wechat_attempts == 1 and used.wechat_next_at is not None
    assert await outbox.sweep() == 0  # not due yet
    clock.advance(timedelta(seconds=11))
    assert await outbox.sweep() == 1
    used = await Notice.get(id=used.id)
    assert used.wechat_state is WechatState.SENT
    message = sender.sent[-1]
    assert message.data["amount3"] == {"value": "50.00元"}
    assert len(message.data["thing1"]["value"]) <= 20
    pending = Notice.filter(kind="authorization_granted", wechat_state=WechatState.PENDING)
    assert await pending.count() == 0  # sent when they were made, without a sweep
