"""Who may call what: every query and mutation × every kind of caller → the expected outcome.

Each cell runs the operation with realistic arguments (the scene's ids: tests/conftest.py
`Scene`) as that caller, and classifies the answer:

- ALLOWED: the permission check passed. The operation answered with data, or refused for a
  reason that is not about who is asking (QUOTA_EXHAUSTED, FACE_VERIFICATION_REQUIRED,
  IDEMPOTENCY_KEY_REUSED …): such a refusal proves the caller got past the permission check.
- EMPTY: a read that answers, but with nothing (null, an empty list or page): the caller may
  ask, and sees nothing of anyone else's.
- a code from ACCESS_REFUSALS: refused because of who is asking, as a top-level error
  (`extensions.code`) or in the mutation's payload.

A cell that differs fails the test, and so does an operation of the schema missing from
the table. After a mutation that was allowed, the next cell starts from a fresh scene.
"""

from __future__ import annotations

from typing import Any

import pytest

from gongji.api.schema import schema as gongji_schema
from tests.conftest import Api, Scene, bill_input, build_scene, person

ACCESS_REFUSALS = {
    "UNAUTHENTICATED",
    "TOKEN_INVALID",
    "FORBIDDEN",
    "IDENTITY_NOT_VERIFIED",
    "NOT_FOUND",
    "MEMBER_NOT_FOUND",
    "NOT_GROUP_MEMBER",
    "NOT_GROUP_CREATOR",
    "NOT_INVITEE",
    "NOT_AUTHORIZATION_PARTY",
    "NOT_BILL_PATIENT",
    "NOT_IN_SAME_FAMILY",
    "AGENT_OUTSIDE_SCOPE",
    "AUTHORIZATION_NOT_FOR_PATIENT",
    "NOT_TRANSFER_RECIPIENT",
}
# Mutations whose success touches only the caller's own session: no fresh scene after them.
OWN_SESSION_ONLY = {"login", "agentLogin", "logout"}
CALLERS = (
    "anonymous",
    "stranger",
    "member",
    "relative",
    "authorizer",
    "own institution",
    "other institution",
    "agent",
)
A, E = "ALLOWED", "EMPTY"
UNAUTH, FORBIDDEN = "UNAUTHENTICATED", "FORBIDDEN"
# Service-hall operations: staff only (a made-up verifyId gets them past the permission check
# to HALL_VERIFICATION_REQUIRED).
HALL = (UNAUTH, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, "ALLOWED")

Variables = dict[str, Any]
DAUGHTER = person("阿依古丽")
REASON = "窗口核对家庭共济支付"


def _counter_bill(ids: dict[str, str]) -> Variables:
    bill = bill_input("MX-COUNTER", ("阿莫西林", "DRUG", "12.00"), patient="阿依古丽")["i"]
    return {"i": {**bill, "paymentCode": ids["payment code"]}}


# operation → (document, its variables from the scene's ids)
OPERATIONS: dict[str, tuple[str, Any]] = {
    # --- queries
    "me": ("{ me { id } }", None),
    "myFamilyGroups": ("{ myFamilyGroups { id } }", None),
    "myInvitations": ("{ myInvitations { edges { node { id } } } }", None),
    "regionPolicy": ('{ regionPolicy(regionCode:"650100") { __typename } }', None),
    "commitmentLetter": ("{ commitmentLetter { version } }", None),
    "rules": ("{ rules { __typename } }", None),
    "myWallet": ("{ myWallet { __typename } }", None),
    "myFamilyTransfers": ("{ myFamilyTransfers { edges { node { id } } } }", None),
    "fraudRules": ('{ fraudRules(regionCode:"650100") { id } }', None),
    "authorizationHolds": ("{ authorizationHolds { edges { node { id } } } }", None),
    "authorizationsGranted": ("{ authorizationsGranted { edges { node { id } } } }", None),
    "authorizationsReceived": ("{ authorizationsReceived { edges { node { id } } } }", None),
    "myBills": ("{ myBills { edges { node { id } } } }", None),
    "myNotices": ("{ myNotices { edges { node { id kind } } } }", None),
    "bill": ("query($b:ID!){ bill(id:$b) { id } }", lambda ids: {"b": ids["paid bill"]}),
    "paymentPreview": (
        "query($b:ID!,$a:ID!){ paymentPreview(billId:$b, authorizationId:$a)"
        " { errors { code } } }",
        lambda ids: {"b": ids["open bill"], "a": ids["authorization"]},
    ),
    "institutionBills": ("{ institutionBills { edges { node { id } } } }", None),
    "patientFamilyMoneyUses": (
        "query($n:String!,$i:String!,$r:String!){ patientFamilyMoneyUses(patientName:$n,"
        ' patientIdNumber:$i, from:"2026-01-01", to:"2026-12-31", reason:$r)'
        " { edges { node { id } } } }",
        lambda ids: {"n": DAUGHTER.name, "i": DAUGHTER.id_number, "r": REASON},
    ),
    "usageRecords": ("{ usageRecords { edges { node { __typename } } } }", None),
    "auditUsageRecords": (
        "query($i:String!,$r:String!){ auditUsageRecords(idNumber:$i, reason:$r)"
        " { edges { node { __typename } } } }",
        lambda ids: {"i": DAUGHTER.id_number, "r": REASON},
    ),
    "myApiKeys": ("{ myApiKeys { id } }", None),
    "familyMemberNotice": ("{ familyMemberNotice { version } }", None),
    "insurers": ("{ insurers { edges { node { code } } } }", None),
    "hallWindow": (
        'query($r:String!){ hallWindow(verifyId:"mockverify-none", reason:$r) { __typename } }',
        lambda ids: {"r": REASON},
    ),
    # --- mutations
    "login": ('mutation { login(code:"demo-lina") { errors { code } } }', None),
    "startFaceVerification": (
        "mutation($n:String!,$i:String!){ startFaceVerification(name:$n, idNumber:$i)"
        " { errors { code } } }",
        lambda ids: {"n": person("李建国").name, "i": person("李建国").id_number},
    ),
    "verifyIdentity": (
        'mutation { verifyIdentity(verifyId:"no-such-verification") { errors { code } } }',
        None,
    ),
    "logout": ("mutation { logout { __typename } }", None),
    "markNoticesRead": ("mutation { markNoticesRead(all: true) { errors { code } } }", None),
    "agentLogin": (
        'mutation { agentLogin(username:"demo-agent", password:"gongji-demo")'
        " { errors { code } } }",
        None,
    ),
    "createFamilyGroup": (
        'mutation($v:String!){ createFamilyGroup(input:{name:"新的家", acceptCommitment:true,'
        " commitmentVersion:$v}) { errors { code } } }",
        lambda ids: {"v": ids["commitment version"]},
    ),
    "inviteFamilyMember": (
        "mutation($g:ID!,$n:String!,$i:String!){ inviteFamilyMember(input:{groupId:$g,"
        " name:$n, idNumber:$i, relationship:PARENT}) { errors { code } } }",
        lambda ids: {
            "g": ids["group"],
            "n": person("李建国").name,
            "i": person("李建国").id_number,
        },
    ),
    "acceptInvitation": (
        "mutation($v:ID!){ acceptInvitation(invitationId:$v) { errors { code } } }",
        lambda ids: {"v": ids["invitation"]},
    ),
    "declineInvitation": (
        "mutation($v:ID!){ declineInvitation(invitationId:$v) { errors { code } } }",
        lambda ids: {"v": ids["invitation"]},
    ),
    "revokeInvitation": (
        "mutation($v:ID!){ revokeInvitation(invitationId:$v) { errors { code } } }",
        lambda ids: {"v": ids["invitation"]},
    ),
    "leaveFamilyGroup": (
        "mutation($g:ID!){ leaveFamilyGroup(groupId:$g) { errors { code } } }",
        lambda ids: {"g": ids["group"]},
    ),
    "removeFamilyMember": (
        "mutation($g:ID!,$m:ID!){ removeFamilyMember(groupId:$g, memberId:$m)"
        " { errors { code } } }",
        lambda ids: {"g": ids["group"], "m": ids["member"]},
    ),
    "agentUnbindFamilyMember": (
        "mutation($g:ID!,$i:String!,$r:String!){ agentUnbindFamilyMember(groupId:$g,"
        " idNumber:$i, reason:$r) { errors { code } } }",
        lambda ids: {"g": ids["group"], "i": person("古丽").id_number, "r": "本人到厅申请解绑"},
    ),
    "openWallet": ("mutation { openWallet { errors { code } } }", None),
    "transferToWallet": (
        'mutation { transferToWallet(amount:"100.00", idempotencyKey:"matrix-transfer")'
        " { errors { code } } }",
        None,
    ),
    "authorizeFamilyMember": (
        'mutation($r:ID!){ authorizeFamilyMember(relativeId:$r, quota:"100.00")'
        " { errors { code } } }",
        lambda ids: {"r": ids["member"]},
    ),
    "changeAuthorization": (
        'mutation($a:ID!){ changeAuthorization(authorizationId:$a, quota:"300.00")'
        " { errors { code } } }",
        lambda ids: {"a": ids["authorization"]},
    ),
    "revokeAuthorization": (
        "mutation($a:ID!){ revokeAuthorization(authorizationId:$a) { errors { code } } }",
        lambda ids: {"a": ids["authorization"]},
    ),
    "payResidentPremium": (
        'mutation($r:ID!){ payResidentPremium(relativeId:$r, year:2026, amount:"380.00",'
        ' idempotencyKey:"matrix-premium") { errors { code } } }',
        lambda ids: {"r": ids["relative"]},
    ),
    "createBill": (
        "mutation($i:CreateBillInput!){ createBill(input:$i) { errors { code } } }",
        lambda ids: bill_input("MX-BILL", ("阿莫西林", "DRUG", "12.00"), patient="阿依古丽"),
    ),
    "pay": (
        'mutation($b:ID!,$a:ID!){ pay(billId:$b, authorizationId:$a, idempotencyKey:"matrix-pay")'
        " { errors { code } } }",
        lambda ids: {"b": ids["open bill"], "a": ids["authorization"]},
    ),
    "createPaymentCode": (
        "mutation($a:ID!){ createPaymentCode(authorizationId:$a) { errors { code } } }",
        lambda ids: {"a": ids["authorization"]},
    ),
    "settleWithPaymentCode": (
        "mutation($i:SettleWithPaymentCodeInput!){ settleWithPaymentCode(input:$i,"
        ' idempotencyKey:"matrix-settle") { errors { code } } }',
        _counter_bill,
    ),
    "refundBill": (
        'mutation($b:ID!){ refundBill(billId:$b, amount:"5.00", reason:"退药",'
        ' idempotencyKey:"matrix-refund-bill") { errors { code } } }',
        lambda ids: {"b": ids["paid bill"]},
    ),
    "refundPayment": (
        'mutation($p:ID!){ refundPayment(paymentId:$p, amount:"5.00", reason:"退药",'
        ' idempotencyKey:"matrix-refund") { errors { code } } }',
        lambda ids: {"p": ids["payment"]},
    ),
    "sendFamilyTransfer": (
        'mutation($r:ID!){ sendFamilyTransfer(recipientId:$r, amount:"10.00",'
        ' idempotencyKey:"matrix-send") { errors { code } } }',
        lambda ids: {"r": ids["relative"]},
    ),
    "acceptFamilyTransfer": (
        "mutation($t:ID!){ acceptFamilyTransfer(transferId:$t) { errors { code } } }",
        lambda ids: {"t": ids["transfer"]},
    ),
    "declineFamilyTransfer": (
        "mutation($t:ID!){ declineFamilyTransfer(transferId:$t) { errors { code } } }",
        lambda ids: {"t": ids["transfer"]},
    ),
    "releaseAuthorizationHold": (
        "mutation($h:ID!){ releaseAuthorizationHold(holdId:$h, reason:\"电话核实为本人正常购药\")"
        " { errors { code } } }",
        lambda ids: {"h": ids["hold"]},
    ),
    "endHeldAuthorization": (
        "mutation($h:ID!){ endHeldAuthorization(holdId:$h, reason:\"核实为冒名购药终止授权\")"
        " { errors { code } } }",
        lambda ids: {"h": ids["hold"]},
    ),
    "issueApiKey": ('mutation { issueApiKey(label:"收费处") { errors { code } } }', None),
    "revokeApiKey": (
        "mutation($k:ID!){ revokeApiKey(id:$k) { errors { code } } }",
        lambda ids: {"k": ids["api key"]},
    ),
    "hallStartFaceVerification": (
        "mutation($n:String!,$i:String!,$r:String!){ hallStartFaceVerification(name:$n,"
        " idNumber:$i, reason:$r) { errors { code } } }",
        lambda ids: {"n": DAUGHTER.name, "i": DAUGHTER.id_number, "r": REASON},
    ),
    "hallCreateFamilyGroup": (
        "mutation($v:String!,$r:String!){ hallCreateFamilyGroup(verifyId:"
        '"mockverify-none", reason:$r, input:{name:"新的家", acceptCommitment:true,'
        " commitmentVersion:$v}) { errors { code } } }",
        lambda ids: {"v": ids["commitment version"], "r": REASON},
    ),
    "hallInviteFamilyMember": (
        "mutation($g:ID!,$n:String!,$i:String!,$r:String!){ hallInviteFamilyMember("
        'verifyId:"mockverify-none", reason:$r, input:{groupId:$g, name:$n, idNumber:$i,'
        " relationship:PARENT}) { errors { code } } }",
        lambda ids: {
            "g": ids["group"],
            "n": person("李建国").name,
            "i": person("李建国").id_number,
            "r": REASON,
        },
    ),
    "hallAcceptInvitation": (
        "mutation($v:ID!,$r:String!){ hallAcceptInvitation(verifyId:\"mockverify-none\","
        " reason:$r, invitationId:$v) { errors { code } } }",
        lambda ids: {"v": ids["invitation"], "r": REASON},
    ),
    "hallAuthorizeFamilyMember": (
        "mutation($m:ID!,$r:String!){ hallAuthorizeFamilyMember(verifyId:\"mockverify-none\","
        ' reason:$r, relativeId:$m, quota:"10.00") { errors { code } } }',
        lambda ids: {"m": ids["member"], "r": REASON},
    ),
    "hallChangeAuthorization": (
        "mutation($a:ID!,$r:String!){ hallChangeAuthorization(verifyId:\"mockverify-none\","
        ' reason:$r, authorizationId:$a, quota:"300.00") { errors { code } } }',
        lambda ids: {"a": ids["authorization"], "r": REASON},
    ),
    "hallRevokeAuthorization": (
        "mutation($a:ID!,$r:String!){ hallRevokeAuthorization(verifyId:\"mockverify-none\","
        " reason:$r, authorizationId:$a) { errors { code } } }",
        lambda ids: {"a": ids["authorization"], "r": REASON},
    ),
    "payCommercialInsurancePremium": (
        "mutation($m:ID!){ payCommercialInsurancePremium(input:{relativeId:$m,"
        ' insurerCode:"PICC", orderNumber:"MX-1", amount:"10.00",'
        ' idempotencyKey:"matrix-commercial"}) { errors { code } } }',
        lambda ids: {"m": ids["relative"]},
    ),
}

# operation → the outcome per caller, in CALLERS' order
EXPECTED: dict[str, tuple[str, ...]] = {
    #  anonymous, stranger, member, relative, authorizer, own institution, other institution, agent
    # --- queries
    "me": (UNAUTH, A, A, A, A, E, E, E),
    "myFamilyGroups": (UNAUTH, E, A, A, A, E, E, E),
    "myInvitations": (UNAUTH, A, A, A, A, E, E, E),
    "regionPolicy": (A, A, A, A, A, A, A, A),
    "commitmentLetter": (A, A, A, A, A, A, A, A),
    "rules": (A, A, A, A, A, A, A, A),
    "myWallet": (UNAUTH, A, A, A, A, E, E, E),
    "myFamilyTransfers": (UNAUTH, E, A, E, A, E, E, E),
    "fraudRules": (A, A, A, A, A, A, A, A),
    "authorizationHolds": (
        UNAUTH,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        A,
    ),
    "authorizationsGranted": (UNAUTH, E, E, E, A, E, E, E),
    "authorizationsReceived": (UNAUTH, E, E, A, E, E, E, E),
    "myBills": (UNAUTH, E, E, A, E, E, E, E),
    "myNotices": (UNAUTH, A, A, A, A, E, E, E),  # 古丽 is told of the transfer in the scene
    "bill": (UNAUTH, E, E, A, E, A, E, E),
    "paymentPreview": (
        UNAUTH,
        "NOT_BILL_PATIENT",
        "NOT_BILL_PATIENT",
        A,
        "NOT_BILL_PATIENT",
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "institutionBills": (UNAUTH, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, A, E, FORBIDDEN),
    "patientFamilyMoneyUses": (
        UNAUTH,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        A,
        "MEMBER_NOT_FOUND",
        FORBIDDEN,
    ),
    "usageRecords": (UNAUTH, E, E, A, A, A, E, FORBIDDEN),
    "auditUsageRecords": (
        UNAUTH,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        A,
    ),
    "myApiKeys": (UNAUTH, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, A, A, FORBIDDEN),
    "familyMemberNotice": (A, A, A, A, A, A, A, A),
    "insurers": (E, E, E, E, E, E, E, E),
    "hallWindow": HALL,
    # --- mutations
    "login": (A, A, A, A, A, A, A, A),
    "startFaceVerification": (UNAUTH, A, A, A, A, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "verifyIdentity": (UNAUTH, A, A, A, A, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "logout": (UNAUTH, A, A, A, A, A, A, A),
    "markNoticesRead": (UNAUTH, A, A, A, A, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "agentLogin": (A, A, A, A, A, A, A, A),
    "createFamilyGroup": (UNAUTH, A, A, A, A, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "inviteFamilyMember": (
        UNAUTH,
        "NOT_GROUP_CREATOR",
        "NOT_GROUP_CREATOR",
        "NOT_GROUP_CREATOR",
        A,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "acceptInvitation": (
        UNAUTH,
        A,
        "NOT_INVITEE",
        "NOT_INVITEE",
        "NOT_INVITEE",
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "declineInvitation": (
        UNAUTH,
        A,
        "NOT_INVITEE",
        "NOT_INVITEE",
        "NOT_INVITEE",
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "revokeInvitation": (
        UNAUTH,
        "NOT_GROUP_CREATOR",
        "NOT_GROUP_CREATOR",
        "NOT_GROUP_CREATOR",
        A,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "leaveFamilyGroup": (UNAUTH, "NOT_GROUP_MEMBER", A, A, A, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "removeFamilyMember": (
        UNAUTH,
        "NOT_GROUP_CREATOR",
        "NOT_GROUP_CREATOR",
        "NOT_GROUP_CREATOR",
        A,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "agentUnbindFamilyMember": (
        UNAUTH,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        A,
    ),
    "openWallet": (UNAUTH, A, A, A, A, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "transferToWallet": (UNAUTH, A, A, A, A, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "authorizeFamilyMember": (UNAUTH, A, A, A, A, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "changeAuthorization": (
        UNAUTH,
        "NOT_AUTHORIZATION_PARTY",
        "NOT_AUTHORIZATION_PARTY",
        "NOT_AUTHORIZATION_PARTY",
        A,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "revokeAuthorization": (
        UNAUTH,
        "NOT_AUTHORIZATION_PARTY",
        "NOT_AUTHORIZATION_PARTY",
        A,
        A,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "payResidentPremium": (UNAUTH, A, A, A, A, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "createBill": (UNAUTH, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, A, A, FORBIDDEN),
    "pay": (
        UNAUTH,
        "NOT_BILL_PATIENT",
        "NOT_BILL_PATIENT",
        A,
        "NOT_BILL_PATIENT",
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "createPaymentCode": (
        UNAUTH,
        "AUTHORIZATION_NOT_FOR_PATIENT",
        "AUTHORIZATION_NOT_FOR_PATIENT",
        A,
        "AUTHORIZATION_NOT_FOR_PATIENT",
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "settleWithPaymentCode": (UNAUTH, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, A, A, FORBIDDEN),
    "refundBill": (UNAUTH, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, A, "NOT_FOUND", FORBIDDEN),
    "refundPayment": (
        UNAUTH,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        A,
        "NOT_FOUND",
        FORBIDDEN,
    ),
    "sendFamilyTransfer": (UNAUTH, A, A, A, A, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "acceptFamilyTransfer": (
        UNAUTH,
        "NOT_TRANSFER_RECIPIENT",
        A,
        "NOT_TRANSFER_RECIPIENT",
        "NOT_TRANSFER_RECIPIENT",
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "declineFamilyTransfer": (
        UNAUTH,
        "NOT_TRANSFER_RECIPIENT",
        A,
        "NOT_TRANSFER_RECIPIENT",
        "NOT_TRANSFER_RECIPIENT",
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
    ),
    "releaseAuthorizationHold": (
        UNAUTH,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        A,
    ),
    "endHeldAuthorization": (
        UNAUTH,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        A,
    ),
    "issueApiKey": (UNAUTH, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, A, A, FORBIDDEN),
    "revokeApiKey": (UNAUTH, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, A, "NOT_FOUND", FORBIDDEN),
    "hallStartFaceVerification": HALL,
    "hallCreateFamilyGroup": HALL,
    "hallInviteFamilyMember": HALL,
    "hallAcceptInvitation": HALL,
    "hallAuthorizeFamilyMember": HALL,
    "hallChangeAuthorization": HALL,
    "hallRevokeAuthorization": HALL,
    "payCommercialInsurancePremium": (UNAUTH, A, A, A, A, FORBIDDEN, FORBIDDEN, FORBIDDEN),
}


def outcome(body: dict[str, Any]) -> str:
    if body.get("errors"):
        code: str = body["errors"][0]["extensions"]["code"]
        return code if code in ACCESS_REFUSALS else A
    value = next(iter(body["data"].values()))
    if isinstance(value, dict) and value.get("errors"):
        code = value["errors"][0]["code"]
        return code if code in ACCESS_REFUSALS else A
    if value is None or value == [] or (isinstance(value, dict) and value.get("edges") == []):
        return E
    return A


async def row(api: Api, scene: Scene, operation: str) -> dict[str, str]:
    """The operation as every caller. A mutation that succeeded may have changed what the
    next caller meets, so the next caller starts from a fresh scene; a refusal writes nothing."""
    document, variables = OPERATIONS[operation]
    found = {}
    for n, caller in enumerate(CALLERS):
        body = await api(
            document, variables(scene.ids) if variables else None, token=scene.tokens.get(caller)
        )
        found[caller] = outcome(body)
        mutation = document.startswith("mutation")
        succeeded = mutation and "errors" not in body and not body["data"][operation].get("errors")
        last = n == len(CALLERS) - 1
        if succeeded and not last and operation not in OWN_SESSION_ONLY:
            scene = await build_scene(api, fresh=True)
    return found


def differences(operation: str, found: dict[str, str]) -> list[str]:
    expected = dict(zip(CALLERS, EXPECTED[operation], strict=True))
    return [
        f"{operation} as {caller}: expected {expected[caller]}, got {found[caller]}"
        for caller in CALLERS
        if found[caller] != expected[caller]
    ]


QUERIES = [
    name for name, (document, _) in OPERATIONS.items() if not document.startswith("mutation")
]
MUTATIONS = [name for name in OPERATIONS if name not in QUERIES]


async def test_who_may_read_what(unthrottled_api: Api, scene: Scene) -> None:
    """Reads change nothing: one scene serves every query."""
    problems = []
    for operation in QUERIES:
        problems += differences(operation, await row(unthrottled_api, scene, operation))
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("operation", MUTATIONS)
async def test_who_may_change_what(unthrottled_api: Api, scene: Scene, operation: str) -> None:
    problems = differences(operation, await row(unthrottled_api, scene, operation))
    assert problems == [], "\n".join(problems)


def test_the_table_lists_every_operation_of_the_schema() -> None:
    schema = gongji_schema._schema
    assert schema.mutation_type is not None
    fields = set(schema.query_type.fields) | set(schema.mutation_type.fields)
    assert set(OPERATIONS) == fields, "give each new operation a row in OPERATIONS and EXPECTED"
    assert set(EXPECTED) == fields
