"""What the national flow asks at each binding (seed 001, R24, R25), and where premiums go
(R16, R29): the family-member notice kept with each binding, the inviter's own face first
where the region asks, resident premiums to the relative's city, commercial premiums to a
registered insurer where the authorizer's region allows it."""

from __future__ import annotations

from typing import Any

import pytest

from gongji.insurance import service as insurance
from gongji.insurance.models import CommercialPremium
from gongji.ledger.models import Account, AccountKind
from gongji.members.models import Member
from gongji.payments.models import PremiumPayment
from gongji.regions.policy import PolicyBook
from tests.conftest import START, Api, person, policy_book

pytestmark = pytest.mark.usefixtures("reconciled")


@pytest.fixture
def policies() -> PolicyBook:
    """The shipped policy, with Gansu asking for the notice and the inviter's face (as Fuxin
    does) and allowing commercial insurance (as Guangdong does)."""
    return policy_book(
        r620000={
            "family_notice_required": True,
            "inviter_face_verification": True,
            "commercial_insurance_allowed": True,
        }
    )


INVITE = """mutation($i:InviteFamilyMemberInput!){ inviteFamilyMember(input:$i){
  invitation { id status noticeVersion noticeAcceptedAt inviterVerifiedAt }
  errors { code field } } }"""
NOTICE = "{ familyMemberNotice { version } }"
ACCEPT = """mutation($id:ID!,$v:String,$a:Boolean=false,$n:String){
  acceptInvitation(invitationId:$id, verifyId:$v, acceptNotice:$a, noticeVersion:$n){
  group { id } errors { code field } } }"""
SENT = """{ myInvitations(first: 20) { edges { node {
  id inviteeNoticeVersion inviteeNoticeAcceptedAt } } } }"""


async def zhang_group(api: Api, token: str) -> dict[str, Any]:
    data = await api.data("{ myFamilyGroups { id members { person { id name } } } }", token=token)
    group: dict[str, Any] = data["myFamilyGroups"][0]
    return group


def invite(group: str, **extra: Any) -> dict[str, Any]:
    daughter = person("张晓雨")
    base = {
        "groupId": group,
        "name": daughter.name,
        "idNumber": daughter.id_number,
        "relationship": "CHILD",
    }
    return {"i": {**base, **extra}}


async def test_each_binding_keeps_the_notice_and_the_inviters_face(api: Api) -> None:
    zhang = await api.login("demo-zhangwei")
    group = (await zhang_group(api, zhang))["id"]
    version = (await api.data(NOTICE))["familyMemberNotice"]["version"]

    async def refused(**extra: Any) -> list[str]:
        data = await api.data(INVITE, invite(group, **extra), token=zhang)
        return [e["code"] for e in data["inviteFamilyMember"]["errors"]]

    assert await refused() == ["FAMILY_NOTICE_NOT_ACCEPTED"]
    assert await refused(acceptNotice=False, noticeVersion=version) == [
        "FAMILY_NOTICE_NOT_ACCEPTED"
    ]
    assert await refused(acceptNotice=True, noticeVersion="2019.1") == [
        "FAMILY_NOTICE_VERSION_OUTDATED"
    ]
    assert await refused(acceptNotice=True, noticeVersion=version) == [
        "INVITER_FACE_VERIFICATION_REQUIRED"
    ]
    # someone else's face does not stand for the inviter's
    stranger = await api.login("demo-lina")
    lina = person("李娜")
    other = await api.face_verify(stranger, lina.name, lina.id_number, passed=True)
    assert await refused(acceptNotice=True, noticeVersion=version, verifyId=other) == ["NOT_FOUND"]

    me = person("张伟")
    verify_id = await api.face_verify(zhang, me.name, me.id_number, passed=True)
    data = await api.data(
        INVITE,
        invite(group, acceptNotice=True, noticeVersion=version, verifyId=verify_id),
        token=zhang,
    )
    invitation = data["inviteFamilyMember"]["invitation"]
    assert invitation["status"] == "PENDING"
    assert invitation["noticeVersion"] == version
    assert invitation["noticeAcceptedAt"] and invitation["inviterVerifiedAt"]

    # the relative reads and agrees the notice too, when accepting (R25)
    teen = await api.login("demo-zhangxiaoyu")
    xiaoyu = person("张晓雨")
    face = await api.face_verify(teen, xiaoyu.name, xiaoyu.id_number, passed=True)

    async def accept(**extra: Any) -> dict[str, Any]:
        data = await api.data(ACCEPT, {"id": invitation["id"], "v": face, **extra}, token=teen)
        answer: dict[str, Any] = data["acceptInvitation"]
        return answer

    assert [e["code"] for e in (await accept())["errors"]] == ["FAMILY_NOTICE_NOT_ACCEPTED"]
    outdated = await accept(a=True, n="2019.1")
    assert [e["code"] for e in outdated["errors"]] == ["FAMILY_NOTICE_VERSION_OUTDATED"]
    joined = await accept(a=True, n=version)
    assert joined["errors"] == []
    sent = await api.data(SENT, token=zhang)
    [kept] = [i for i in sent["myInvitations"]["edges"] if i["node"]["id"] == invitation["id"]]
    assert kept["node"]["inviteeNoticeVersion"] == version
    assert kept["node"]["inviteeNoticeAcceptedAt"]


async def test_where_the_region_does_not_ask_the_notice_is_still_kept_if_given(
    api: Api,
) -> None:
    aili = await api.login("demo-aili")  # Urumqi: no notice or face asked by policy
    group = (await zhang_group(api, aili))["id"]
    zhao = person("赵敏")
    plain = {"groupId": group, "name": zhao.name, "idNumber": zhao.id_number}
    data = await api.data(
        INVITE,
        {
            "i": {
                **plain,
                "relationship": "SIBLING",
                "acceptNotice": True,
                "noticeVersion": "2024.1",
            }
        },
        token=aili,
    )
    invitation = data["inviteFamilyMember"]["invitation"]
    assert (invitation["noticeVersion"], invitation["inviterVerifiedAt"]) == ("2024.1", None)


PREMIUM = """mutation($r:ID!,$k:String!){ payResidentPremium(relativeId:$r, year:2026,
  amount:"380.00", idempotencyKey:$k){ replayed errors { code } } }"""
COMMERCIAL = """mutation($i:PayCommercialInsurancePremiumInput!){
  payCommercialInsurancePremium(input:$i){
    replayed premium { insured { name } insurer { code name } orderNumber amount }
    errors { code field } } }"""


async def balance(kind: AccountKind, owner: str) -> int:
    account = await Account.get_or_none(kind=kind, owner=owner)
    return account.balance if account else 0


async def test_a_resident_premium_goes_to_the_relatives_city(api: Api) -> None:
    zhang = await api.login("demo-zhangwei")
    mother = str((await Member.get(name="王秀英")).id)  # insured in Zhengzhou (410100)
    paid = await api.data(PREMIUM, {"r": mother, "k": "premium-city-1"}, token=zhang)
    assert paid["payResidentPremium"]["errors"] == []
    assert (await PremiumPayment.get(relative_id=mother)).region == "410100"
    assert await balance(AccountKind.PREMIUM_COLLECTION, "region:410100") == 38000
    assert await balance(AccountKind.PREMIUM_COLLECTION, "region:620100") == 0


async def test_commercial_premiums_go_to_a_registered_insurer_once(api: Api) -> None:
    insurer = await insurance.register_insurer(code="pingan-health", name="平安健康", now=START)
    listed = await api.data("{ insurers { edges { node { code name } } } }")
    assert listed["insurers"]["edges"] == [{"node": {"code": "PINGAN-HEALTH", "name": "平安健康"}}]
    zhang = await api.login("demo-zhangwei")
    mother = str((await Member.get(name="王秀英")).id)
    order = {
        "relativeId": mother,
        "insurerCode": "PINGAN-HEALTH",
        "orderNumber": "PA-2026-0001",
        "amount": "299.00",
        "idempotencyKey": "commercial-0001",
    }
    first = (await api.data(COMMERCIAL, {"i": order}, token=zhang))["payCommercialInsurancePremium"]
    assert first["errors"] == [] and first["replayed"] is False
    assert first["premium"]["insured"]["name"] == "王秀英"
    again = (await api.data(COMMERCIAL, {"i": order}, token=zhang))["payCommercialInsurancePremium"]
    assert again["replayed"] is True
    reused = {**order, "idempotencyKey": "commercial-0002"}
    refused = (await api.data(COMMERCIAL, {"i": reused}, token=zhang))[
        "payCommercialInsurancePremium"
    ]
    assert [e["code"] for e in refused["errors"]] == ["INSURANCE_ORDER_REUSED"]
    assert await CommercialPremium.all().count() == 1
    assert await balance(AccountKind.PREMIUM_COLLECTION, f"insurer:{insurer.id}") == 29900

    unknown = {**order, "insurerCode": "NOBODY", "idempotencyKey": "commercial-0003"}
    refused = (await api.data(COMMERCIAL, {"i": unknown}, token=zhang))[
        "payCommercialInsurancePremium"
    ]
    assert [e["code"] for e in refused["errors"]] == ["INSURER_NOT_FOUND"]


async def test_commercial_premiums_only_where_the_authorizers_region_allows(api: Api) -> None:
    await insurance.register_insurer(code="PICC", name="人保健康", now=START)
    aili = await api.login("demo-aili")  # Xinjiang: not allowed
    daughter = str((await Member.get(name="阿依古丽")).id)
    order = {
        "relativeId": daughter,
        "insurerCode": "PICC",
        "orderNumber": "PICC-1",
        "amount": "100.00",
        "idempotencyKey": "commercial-xj-1",
    }
    refused = (await api.data(COMMERCIAL, {"i": order}, token=aili))[
        "payCommercialInsurancePremium"
    ]
    assert [e["code"] for e in refused["errors"]] == ["COMMERCIAL_INSURANCE_NOT_ALLOWED"]
