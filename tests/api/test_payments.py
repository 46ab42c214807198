"""Bills, payment, refunds over HTTP (R13–R18, R22), ending with a clean reconciliation."""

from __future__ import annotations

from typing import Any

import pytest

from gongji.demo import demo_api_key
from gongji.money import parse_yuan
from tests.api.test_wallets import AUTHORIZE, REVOKE, WALLET, codes, mother_id
from tests.conftest import Api, nodes, person

pytestmark = pytest.mark.usefixtures("reconciled")

HENAN_HOSPITAL = demo_api_key("H41010500002")
CREATE_BILL = """mutation($i:CreateBillInput!){ createBill(input:$i){
  bill { id status visitType medfeeSumamt patient { name idNumber } proxyBuyer { name }
         institution { code region { name } } items { name category amount } }
  errors { code field rule } } }"""
PAY = """mutation($b:ID!,$a:ID!,$k:String!){ pay(billId:$b, authorizationId:$a, idempotencyKey:$k){
  replayed payment { id psnPartAmt acctMulaidPay psnCashPay excludedAmount excludedItems
                     refunded authorizer { name } bill { status } }
  errors { code field rule message } } }"""
REFUND = """mutation($p:ID!,$a:Money!,$k:String!){
  refundPayment(paymentId:$p, amount:$a, reason:"退药", idempotencyKey:$k){
    replayed refund { amount returnedToWallet } payment { refunded bill { status } }
    errors { code rule } } }"""


def bill_input(
    ref: str,
    *items: tuple[str, str, str],
    fund: str = "0",
    self_pay: str = "0",
    patient: str = "王秀英",
    visit: str = "OUTPATIENT",
    **extra: str,
) -> dict[str, Any]:
    total = sum(parse_yuan(a) for _, _, a in items)
    return {
        "i": {
            "externalRef": ref,
            "patientName": patient,
            "patientIdNumber": person(patient).id_number,
            "visitType": visit,
            "items": [{"name": n, "category": c, "amount": a} for n, c, a in items],
            "medfeeSumamt": f"{total // 100}.{total % 100:02d}",
            "hifpPay": fund,
            "fulamtOwnpayAmt": self_pay,
            **extra,
        }
    }


async def create_bill(api: Api, key: str, variables: dict[str, Any]) -> str:
    data = await api.data(CREATE_BILL, variables, token=key)
    assert data["createBill"]["errors"] == [], data
    bill_id: str = data["createBill"]["bill"]["id"]
    return bill_id


@pytest.fixture
async def family(api: Api) -> dict[str, str]:
    """张伟 authorizes his mother 500.00; she is logged in."""
    zhang = await api.login("demo-zhangwei")
    granted = await api.data(
        AUTHORIZE, {"r": await mother_id(api, zhang), "q": "500.00"}, token=zhang
    )
    return {
        "zhang": zhang,
        "mother": await api.login("demo-wangxiuying"),
        "auth": granted["authorizeFamilyMember"]["authorization"]["id"],
    }


async def test_walkthrough_fitness_item_goes_to_cash(api: Api, family: dict[str, str]) -> None:
    bill = await create_bill(
        api,
        HENAN_HOSPITAL,
        bill_input(
            "ZZ-0001",
            ("阿莫西林胶囊", "DRUG", "86.00"),
            ("血常规", "EXAMINATION", "34.00"),
            ("康复健身指导", "FITNESS", "80.00"),
            fund="60.00",
        ),
    )
    paid = await api.data(
        PAY, {"b": bill, "a": family["auth"], "k": "pay-zz-0001"}, token=family["mother"]
    )
    payment = paid["pay"]["payment"]
    assert payment | {"id": ""} == {
        "id": "",
        "psnPartAmt": "140.00",
        "acctMulaidPay": "60.00",
        "psnCashPay": "80.00",
        "excludedAmount": "80.00",
        "excludedItems": ["康复健身指导"],
        "refunded": "0.00",
        "authorizer": {"name": "张伟"},
        "bill": {"status": "PAID"},
    }
    granted = await api.data(
        "{ authorizationsGranted { edges { node { spent remaining } } } }", token=family["zhang"]
    )
    assert nodes(granted["authorizationsGranted"]) == [{"spent": "60.00", "remaining": "440.00"}]
    wallet = (await api.data(WALLET, token=family["zhang"]))["myWallet"]
    assert (wallet["available"], wallet["reserved"]) == ("2500.00", "440.00")


async def test_only_excluded_items_is_refused_r15(api: Api, family: dict[str, str]) -> None:
    bill = await create_bill(
        api,
        HENAN_HOSPITAL,
        bill_input("ZZ-FIT", ("健身课程", "FITNESS", "300.00"), self_pay="300.00"),
    )
    refused = await api.data(
        PAY, {"b": bill, "a": family["auth"], "k": "pay-zz-fit1"}, token=family["mother"]
    )
    assert refused["pay"]["errors"][0]["code"] == "BILL_NOT_COVERABLE"
    assert refused["pay"]["errors"][0]["rule"] == "R15"


async def test_quota_caps_payment_then_is_exhausted_r11(api: Api, family: dict[str, str]) -> None:
    big = await create_bill(
        api, HENAN_HOSPITAL, bill_input("ZZ-BIG", ("住院药品", "DRUG", "900.00"))
    )
    paid = await api.data(
        PAY, {"b": big, "a": family["auth"], "k": "pay-zz-big1"}, token=family["mother"]
    )
    assert (paid["pay"]["payment"]["acctMulaidPay"], paid["pay"]["payment"]["psnCashPay"]) == (
        "500.00",
        "400.00",
    )
    more = await create_bill(api, HENAN_HOSPITAL, bill_input("ZZ-MORE", ("药品", "DRUG", "10.00")))
    empty = await api.data(
        PAY, {"b": more, "a": family["auth"], "k": "pay-zz-more"}, token=family["mother"]
    )
    assert codes(empty["pay"]) == ["QUOTA_EXHAUSTED"]


async def test_only_the_patient_pays_r17(api: Api, family: dict[str, str]) -> None:
    bill = await create_bill(api, HENAN_HOSPITAL, bill_input("ZZ-R17", ("药品", "DRUG", "10.00")))
    as_son = await api.data(
        PAY, {"b": bill, "a": family["auth"], "k": "pay-zz-r17a"}, token=family["zhang"]
    )
    assert as_son["pay"]["errors"][0]["code"] == "NOT_BILL_PATIENT"
    assert "冒名就医" in as_son["pay"]["errors"][0]["message"]
    aili = await api.login("demo-aili")
    granted = await api.data("{ authorizationsGranted { edges { node { id } } } }", token=aili)
    others = nodes(granted["authorizationsGranted"])[0]["id"]
    wrong = await api.data(
        PAY, {"b": bill, "a": others, "k": "pay-zz-r17b"}, token=family["mother"]
    )
    assert codes(wrong["pay"]) == ["AUTHORIZATION_NOT_FOR_PATIENT"]


async def test_paid_bill_cannot_be_paid_again_and_retry_replays_r22(
    api: Api, family: dict[str, str]
) -> None:
    bill = await create_bill(api, HENAN_HOSPITAL, bill_input("ZZ-TWICE", ("药品", "DRUG", "10.00")))
    first = await api.data(
        PAY, {"b": bill, "a": family["auth"], "k": "pay-twice-1"}, token=family["mother"]
    )
    retry = await api.data(
        PAY, {"b": bill, "a": family["auth"], "k": "pay-twice-1"}, token=family["mother"]
    )
    assert retry["pay"]["replayed"] is True
    assert retry["pay"]["payment"]["id"] == first["pay"]["payment"]["id"]
    other_key = await api.data(
        PAY, {"b": bill, "a": family["auth"], "k": "pay-twice-2"}, token=family["mother"]
    )
    assert codes(other_key["pay"]) == ["BILL_ALREADY_PAID"]
    spent = await api.data(
        "{ authorizationsReceived { edges { node { spent } } } }", token=family["mother"]
    )
    assert nodes(spent["authorizationsReceived"]) == [{"spent": "10.00"}]


async def test_revoked_authorization_cannot_pay(api: Api, family: dict[str, str]) -> None:
    await api.data(REVOKE, {"a": family["auth"]}, token=family["zhang"])
    bill = await create_bill(api, HENAN_HOSPITAL, bill_input("ZZ-REV", ("药品", "DRUG", "10.00")))
    refused = await api.data(
        PAY, {"b": bill, "a": family["auth"], "k": "pay-zz-rev1"}, token=family["mother"]
    )
    assert codes(refused["pay"]) == ["AUTHORIZATION_NOT_ACTIVE"]


async def test_province_scope_refuses_another_province_r13(api: Api) -> None:
    child = await api.login("demo-ayiguli")  # 艾力 (Xinjiang: in-province) authorized her 200.00
    received = await api.data("{ authorizationsReceived { edges { node { id } } } }", token=child)
    auth = nodes(received["authorizationsReceived"])[0]["id"]
    shenzhen = await create_bill(
        api,
        demo_api_key("H44030400001"),
        bill_input("SZ-0001", ("药品", "DRUG", "50.00"), patient="阿依古丽"),
    )
    outside = await api.data(PAY, {"b": shenzhen, "a": auth, "k": "pay-sz-0001"}, token=child)
    assert outside["pay"]["errors"][0] | {"message": ""} == {
        "code": "OUTSIDE_SHARING_SCOPE",
        "field": "billId",
        "rule": "R13",
        "message": "",
    }
    urumqi = await create_bill(
        api,
        demo_api_key("H65010200001"),
        bill_input("WLMQ-0001", ("药品", "DRUG", "50.00"), patient="阿依古丽"),
    )
    inside = await api.data(PAY, {"b": urumqi, "a": auth, "k": "pay-wlmq-01"}, token=child)
    assert inside["pay"]["payment"]["acctMulaidPay"] == "50.00"


async def test_create_bill_validation_and_idempotency(api: Api) -> None:
    good = bill_input("ZZ-IDEM", ("药品", "DRUG", "10.00"))
    first = await create_bill(api, HENAN_HOSPITAL, good)
    assert await create_bill(api, HENAN_HOSPITAL, good) == first
    changed = bill_input("ZZ-IDEM", ("药品", "DRUG", "11.00"))
    reused = await api.data(CREATE_BILL, changed, token=HENAN_HOSPITAL)
    assert codes(reused["createBill"]) == ["BILL_REFERENCE_REUSED"]
    mismatch = bill_input("ZZ-BAD", ("药品", "DRUG", "10.00"))
    mismatch["i"]["medfeeSumamt"] = "12.00"
    assert codes((await api.data(CREATE_BILL, mismatch, token=HENAN_HOSPITAL))["createBill"]) == [
        "BILL_INVALID"
    ]
    stranger = bill_input("ZZ-WHO", ("药品", "DRUG", "10.00"))
    stranger["i"]["patientName"] = "王某"
    assert codes((await api.data(CREATE_BILL, stranger, token=HENAN_HOSPITAL))["createBill"]) == [
        "MEMBER_NOT_FOUND"
    ]
    proxy = bill_input(
        "ZZ-PROXY",
        ("药品", "DRUG", "10.00"),
        proxyBuyerName="张伟",
        proxyBuyerIdNumber=person("张伟").id_number,
    )
    assert codes((await api.data(CREATE_BILL, proxy, token=HENAN_HOSPITAL))["createBill"]) == [
        "PROXY_PURCHASE_PHARMACY_ONLY"
    ]
    member = await api.login("demo-zhangwei")
    assert codes((await api.data(CREATE_BILL, good, token=member))["createBill"]) == ["FORBIDDEN"]


async def test_proxy_purchase_records_both_identities_r17(api: Api) -> None:
    pharmacy = demo_api_key("P62010200003")
    proxy = bill_input(
        "LZ-P-0001",
        ("降压药", "DRUG", "45.00"),
        visit="PHARMACY",
        proxyBuyerName="张伟",
        proxyBuyerIdNumber=person("张伟").id_number,
    )
    data = await api.data(CREATE_BILL, proxy, token=pharmacy)
    bill = data["createBill"]["bill"]
    assert bill["patient"]["name"] == "王秀英" and bill["proxyBuyer"] == {"name": "张伟"}
    assert bill["patient"]["idNumber"].count("*") == 8


async def test_refunds_return_quota_then_wallet_r11_r22(api: Api, family: dict[str, str]) -> None:
    bill = await create_bill(api, HENAN_HOSPITAL, bill_input("ZZ-REF", ("药品", "DRUG", "100.00")))
    paid = await api.data(
        PAY, {"b": bill, "a": family["auth"], "k": "pay-zz-ref1"}, token=family["mother"]
    )
    payment = paid["pay"]["payment"]["id"]
    part = await api.data(
        REFUND, {"p": payment, "a": "30.00", "k": "refund-0001"}, token=HENAN_HOSPITAL
    )
    assert part["refundPayment"]["payment"] == {
        "refunded": "30.00",
        "bill": {"status": "PARTIALLY_REFUNDED"},
    }
    assert part["refundPayment"]["refund"] == {"amount": "30.00", "returnedToWallet": False}
    replay = await api.data(
        REFUND, {"p": payment, "a": "30.00", "k": "refund-0001"}, token=HENAN_HOSPITAL
    )
    assert replay["refundPayment"]["replayed"] is True
    too_much = await api.data(
        REFUND, {"p": payment, "a": "70.01", "k": "refund-0002"}, token=HENAN_HOSPITAL
    )
    assert codes(too_much["refundPayment"]) == ["REFUND_EXCEEDS_PAYMENT"]
    other = demo_api_key("H62010200001")
    foreign = await api.data(REFUND, {"p": payment, "a": "1.00", "k": "refund-0003"}, token=other)
    assert codes(foreign["refundPayment"]) == ["NOT_FOUND"]
    remaining = await api.data(
        "{ authorizationsReceived { edges { node { spent remaining } } } }", token=family["mother"]
    )
    assert nodes(remaining["authorizationsReceived"]) == [{"spent": "70.00", "remaining": "430.00"}]
    await api.data(REVOKE, {"a": family["auth"]}, token=family["zhang"])
    rest = await api.data(
        REFUND, {"p": payment, "a": "70.00", "k": "refund-0004"}, token=HENAN_HOSPITAL
    )
    assert rest["refundPayment"]["refund"] == {"amount": "70.00", "returnedToWallet": True}
    assert rest["refundPayment"]["payment"]["bill"] == {"status": "REFUNDED"}
    assert (await api.data(WALLET, token=family["zhang"]))["myWallet"]["available"] == "3000.00"


async def test_bill_is_visible_to_its_patient_and_institution_only(
    api: Api, family: dict[str, str]
) -> None:
    bill = await create_bill(api, HENAN_HOSPITAL, bill_input("ZZ-SEE", ("药品", "DRUG", "10.00")))
    query = "query($id:ID!){ bill(id:$id){ id } }"
    assert (await api.data(query, {"id": bill}, token=family["mother"]))["bill"] == {"id": bill}
    assert (await api.data(query, {"id": bill}, token=HENAN_HOSPITAL))["bill"] == {"id": bill}
    assert (await api.data(query, {"id": bill}, token=family["zhang"]))["bill"] is None
    assert (await api.data(query, {"id": bill}, token=demo_api_key("H62010200001")))["bill"] is None
    mine = await api.data("{ myBills { id status } }", token=family["mother"])
    assert mine["myBills"] == [{"id": bill, "status": "OPEN"}]
