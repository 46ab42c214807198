"""Bills, payment, refunds over HTTP (R13–R18, R22), ending with a clean reconciliation."""

from __future__ import annotations

import pytest

from gongji.demo import demo_api_key
from tests.conftest import (
    CREATE_BILL,
    Api,
    bill_input,
    codes,
    create_bill,
    mini_program,
    nodes,
    person,
)

pytestmark = pytest.mark.usefixtures("reconciled")

HENAN_HOSPITAL = demo_api_key("H41010500002")
REVOKE = mini_program("RevokeAuthorization")
WALLET = mini_program("WalletOverview")
PAY = """mutation($b:ID!,$a:ID!,$k:String!){ pay(billId:$b, authorizationId:$a, idempotencyKey:$k){
  replayed payment { id psnPartAmt acctMulaidPay psnCashPay excludedAmount excludedItems
                     refunded authorizer { name } bill { status } }
  errors { code field rule message } } }"""
SETTLEMENT = """id status payment { id acctMulaidPay psnCashPay excludedItems refunded
  refunds { amount reason } }"""
SEE_BILL = "query($id:ID!){ bill(id:$id){ " + SETTLEMENT + " } }"
MY_BILLS = (
    "query($n:Int,$c:String){ myBills(first:$n, after:$c){ totalCount "
    "pageInfo { hasNextPage endCursor } edges { cursor node { " + SETTLEMENT + " } } } }"
)
REFUND_BILL = """mutation($b:ID,$r:String,$a:Money!,$k:String!){
  refundBill(billId:$b, externalRef:$r, amount:$a, reason:"退药", idempotencyKey:$k){
    replayed refund { amount returnedToWallet } payment { refunded bill { status } }
    errors { code field rule } } }"""
REFUND = """mutation($p:ID!,$a:Money!,$k:String!){
  refundPayment(paymentId:$p, amount:$a, reason:"退药", idempotencyKey:$k){
    replayed refund { amount returnedToWallet } payment { refunded bill { status } }
    errors { code rule } } }"""


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
        bill_input("ZZ-FIT", ("健身课程", "FITNESS", "300.00")),
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
    await api.data(REVOKE, {"authorizationId": family["auth"]}, token=family["zhang"])
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


async def test_refunds_by_bill_return_quota_then_wallet_r11_r22(
    api: Api, family: dict[str, str]
) -> None:
    bill = await create_bill(api, HENAN_HOSPITAL, bill_input("ZZ-REF", ("药品", "DRUG", "100.00")))
    await api.data(
        PAY, {"b": bill, "a": family["auth"], "k": "pay-zz-ref1"}, token=family["mother"]
    )
    part = await api.data(
        REFUND_BILL, {"b": bill, "a": "30.00", "k": "refund-0001"}, token=HENAN_HOSPITAL
    )
    assert part["refundBill"]["payment"] == {
        "refunded": "30.00",
        "bill": {"status": "PARTIALLY_REFUNDED"},
    }
    assert part["refundBill"]["refund"] == {"amount": "30.00", "returnedToWallet": False}
    replay = await api.data(
        REFUND_BILL, {"b": bill, "a": "30.00", "k": "refund-0001"}, token=HENAN_HOSPITAL
    )
    assert replay["refundBill"]["replayed"] is True
    too_much = await api.data(
        REFUND_BILL, {"r": "ZZ-REF", "a": "70.01", "k": "refund-0002"}, token=HENAN_HOSPITAL
    )
    assert codes(too_much["refundBill"]) == ["REFUND_EXCEEDS_PAYMENT"]
    other = demo_api_key("H62010200001")
    foreign = await api.data(REFUND_BILL, {"b": bill, "a": "1.00", "k": "refund-0003"}, token=other)
    assert foreign["refundBill"]["errors"] == [
        {"code": "NOT_FOUND", "field": "billId", "rule": None}
    ]
    remaining = await api.data(
        "{ authorizationsReceived { edges { node { spent remaining } } } }", token=family["mother"]
    )
    assert nodes(remaining["authorizationsReceived"]) == [{"spent": "70.00", "remaining": "430.00"}]
    await api.data(REVOKE, {"authorizationId": family["auth"]}, token=family["zhang"])
    rest = await api.data(
        REFUND_BILL, {"r": "ZZ-REF", "a": "70.00", "k": "refund-0004"}, token=HENAN_HOSPITAL
    )
    assert rest["refundBill"]["refund"] == {"amount": "70.00", "returnedToWallet": True}
    assert rest["refundBill"]["payment"]["bill"] == {"status": "REFUNDED"}
    assert (await api.data(WALLET, token=family["zhang"]))["myWallet"]["available"] == "3000.00"


async def test_refund_by_bill_refusals(api: Api, family: dict[str, str]) -> None:
    bill = await create_bill(api, HENAN_HOSPITAL, bill_input("ZZ-OPEN", ("药品", "DRUG", "10.00")))
    unpaid = await api.data(
        REFUND_BILL, {"b": bill, "a": "1.00", "k": "refund-open"}, token=HENAN_HOSPITAL
    )
    assert unpaid["refundBill"]["errors"] == [
        {"code": "BILL_NOT_PAID", "field": "billId", "rule": "R22"}
    ]
    unknown = await api.data(
        REFUND_BILL, {"r": "NO-SUCH", "a": "1.00", "k": "refund-none"}, token=HENAN_HOSPITAL
    )
    assert unknown["refundBill"]["errors"][0]["code"] == "NOT_FOUND"
    both = await api.data(
        REFUND_BILL,
        {"b": bill, "r": "ZZ-OPEN", "a": "1.00", "k": "refund-both"},
        token=HENAN_HOSPITAL,
    )
    neither = await api.data(REFUND_BILL, {"a": "1.00", "k": "refund-zero"}, token=HENAN_HOSPITAL)
    assert codes(both["refundBill"]) == codes(neither["refundBill"]) == ["INVALID_INPUT"]
    as_patient = await api.data(
        REFUND_BILL, {"b": bill, "a": "1.00", "k": "refund-self"}, token=family["mother"]
    )
    assert codes(as_patient["refundBill"]) == ["FORBIDDEN"]


async def test_deprecated_refund_payment_takes_the_id_the_hospital_reads_on_its_bill(
    api: Api, family: dict[str, str]
) -> None:
    bill = await create_bill(api, HENAN_HOSPITAL, bill_input("ZZ-OLD", ("药品", "DRUG", "40.00")))
    await api.data(
        PAY, {"b": bill, "a": family["auth"], "k": "pay-zz-old1"}, token=family["mother"]
    )
    seen = await api.data(SEE_BILL, {"id": bill}, token=HENAN_HOSPITAL)
    payment = seen["bill"]["payment"]["id"]
    done = await api.data(
        REFUND, {"p": payment, "a": "40.00", "k": "refund-old1"}, token=HENAN_HOSPITAL
    )
    assert done["refundPayment"]["payment"] == {"refunded": "40.00", "bill": {"status": "REFUNDED"}}


async def test_the_split_is_visible_to_the_patient_and_the_institution_only(
    api: Api, family: dict[str, str]
) -> None:
    bill = await create_bill(
        api,
        HENAN_HOSPITAL,
        bill_input(
            "ZZ-SEE", ("药品", "DRUG", "100.00"), ("健身指导", "FITNESS", "20.00"), fund="30.00"
        ),
    )
    before = await api.data(SEE_BILL, {"id": bill}, token=HENAN_HOSPITAL)
    assert before["bill"]["status"] == "OPEN" and before["bill"]["payment"] is None
    paid = await api.data(
        PAY, {"b": bill, "a": family["auth"], "k": "pay-zz-see1"}, token=family["mother"]
    )
    await api.data(REFUND_BILL, {"b": bill, "a": "10.00", "k": "refund-see1"}, token=HENAN_HOSPITAL)
    expected = {
        "id": bill,
        "status": "PARTIALLY_REFUNDED",
        "payment": {
            "id": paid["pay"]["payment"]["id"],
            "acctMulaidPay": "70.00",
            "psnCashPay": "20.00",
            "excludedItems": ["健身指导"],
            "refunded": "10.00",
            "refunds": [{"amount": "10.00", "reason": "退药"}],
        },
    }
    assert (await api.data(SEE_BILL, {"id": bill}, token=HENAN_HOSPITAL))["bill"] == expected
    assert (await api.data(SEE_BILL, {"id": bill}, token=family["mother"]))["bill"] == expected
    stranger = await api.login("mock-stranger")
    for other in (family["zhang"], stranger, demo_api_key("H62010200001")):  # his son, a
        # stranger, another hospital
        assert (await api.data(SEE_BILL, {"id": bill}, token=other))["bill"] is None
    mine = await api.data(MY_BILLS, token=family["mother"])
    assert mine["myBills"]["edges"][0]["node"] == expected
    for other in (family["zhang"], stranger, HENAN_HOSPITAL):
        assert (await api.data(MY_BILLS, token=other))["myBills"]["edges"] == []


async def test_one_reading_of_the_figures_r15(api: Api, family: dict[str, str]) -> None:
    """Total 300.00, pooled 180.00, self-pay 20.00, a 30.00 fitness line: family pays 70.00."""
    lines = [("药品", "DRUG", "250.00"), ("康复健身指导", "FITNESS", "30.00")]
    undeclared = bill_input("ZZ-SELF", *lines, ("自费药", "DRUG", "20.00"), fund="180.00")
    undeclared["i"]["fulamtOwnpayAmt"] = "20.00"
    refused = await api.data(CREATE_BILL, undeclared, token=HENAN_HOSPITAL)
    assert refused["createBill"]["errors"] == [
        {"code": "BILL_SELF_PAY_MISMATCH", "field": "fulamtOwnpayAmt", "rule": "R15"}
    ]
    message = "mutation($i:CreateBillInput!){ createBill(input:$i){ errors { message } } }"
    english = await api.data(message, undeclared, token=HENAN_HOSPITAL, language="en")
    assert english["createBill"]["errors"][0]["message"] == (
        "The declared full self-pay 20.00 yuan differs from the SELF_PAY lines, "
        "which add up to 0.00 yuan"
    )
    bill = await create_bill(
        api,
        HENAN_HOSPITAL,
        bill_input(
            "ZZ-SELF", *lines, ("自费药", "SELF_PAY", "20.00"), fund="180.00", self_pay="20.00"
        ),
    )
    paid = await api.data(
        PAY, {"b": bill, "a": family["auth"], "k": "pay-zz-self"}, token=family["mother"]
    )
    payment = paid["pay"]["payment"]
    assert (payment["psnPartAmt"], payment["acctMulaidPay"], payment["psnCashPay"]) == (
        "120.00",
        "70.00",
        "50.00",
    )
    assert payment["excludedItems"] == ["康复健身指导", "自费药"]
