"""The log a security team reads: one JSON line per request, no document, no ID or phone."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gongji import demo
from gongji.api.request_log import RequestLog
from gongji.demo import demo_api_key
from tests.conftest import Api, person

REQUEST_FIELDS = {
    "ts",
    "level",
    "logger",
    "message",
    "request_id",
    "method",
    "path",
    "operation",
    "principal",
    "status",
    "duration_ms",
    "outcome",
}


def lines(log: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.getvalue().splitlines()]  # each line is JSON


def requests(log: io.StringIO) -> list[dict[str, Any]]:
    return [line for line in lines(log) if line["logger"] == "gongji.request"]


class Client:
    """Sends documents as GraphiQL would, keeping every document for the log check."""

    def __init__(self, api: Api) -> None:
        self.api, self.sent = api, list[str]()

    async def __call__(self, document: str, token: str | None = None, **headers: str) -> Any:
        self.sent.append(document)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = await self.api.http.post("/graphql", json={"query": document}, headers=headers)
        assert response.status_code == 200, response.text
        return response


@pytest.mark.usefixtures("demo_data")
async def test_the_readme_walkthrough_leaves_a_log_without_documents_or_numbers(
    api: Api, server_log: io.StringIO
) -> None:
    send = Client(api)
    mother = person("王秀英")
    login = await send(
        'mutation Login { login(code: "demo-zhangwei") { token } }',
        **{"X-Request-Id": "walkthrough-0001"},
    )
    assert login.headers["x-request-id"] == "walkthrough-0001"
    zhang = login.json()["data"]["login"]["token"]
    await send("query Me { me { name idNumber phone canAuthorize } }", zhang)
    groups = await send(
        "query Wallet { myWallet { available reserved } "
        "myFamilyGroups { members { person { id name } } } }",
        zhang,
    )
    members = groups.json()["data"]["myFamilyGroups"][0]["members"]
    mother_id = next(m["person"]["id"] for m in members if m["person"]["name"] == mother.name)
    authorized = await send(
        f'mutation Authorize {{ authorizeFamilyMember(relativeId: "{mother_id}", '
        'quota: "500.00") { authorization { id } errors { code } } }',
        zhang,
    )
    authorization = authorized.json()["data"]["authorizeFamilyMember"]["authorization"]["id"]
    hospital = demo_api_key("H41010500002")
    bill = await send(
        'mutation Bill { createBill(input: {externalRef: "ZZ-0001", patientName: "王秀英", '
        f'patientIdNumber: "{mother.id_number}", visitType: OUTPATIENT, '
        'items: [{name: "阿莫西林胶囊", category: DRUG, amount: "86.00"}, '
        '{name: "康复健身指导", category: FITNESS, amount: "80.00"}], '
        'medfeeSumamt: "166.00", hifpPay: "60.00", fulamtOwnpayAmt: "0"}) '
        "{ bill { id } errors { code } } }",
        hospital,
    )
    bill_id = bill.json()["data"]["createBill"]["bill"]["id"]
    wang = (await send('mutation { login(code: "demo-wangxiuying") { token } }')).json()
    wang_token = wang["data"]["login"]["token"]
    await send("query MyBills { myBills { edges { node { id status } } } }", wang_token)
    paid = await send(
        f'mutation Pay {{ pay(billId: "{bill_id}", authorizationId: "{authorization}", '
        'idempotencyKey: "my-first-payment") { payment { acctMulaidPay } errors { code } } }',
        wang_token,
    )
    assert paid.json()["data"]["pay"]["errors"] == []
    await send(
        "query Records { usageRecords(filter: {year: 2026}) { totalCount } }",
        zhang,
        **{"X-Request-Id": person("张伟").id_number},  # not a request id: never echoed
    )
    lijianguo = person("李建国")
    refused = await send(
        "mutation Invite { inviteFamilyMember(input: {groupId: "
        f'"not-a-group", name: "{lijianguo.name}", idNumber: "{lijianguo.id_number}", '
        "relationship: SPOUSE_PARENT}) { errors { code } } }",
        zhang,
    )
    assert refused.json()["data"]["inviteFamilyMember"]["errors"] == [{"code": "INVALID_INPUT"}]
    await send("query Anonymous { myWallet { available } }")
    await send(f'query Invalid {{ me {{ name(idNumber: "{mother.id_number}") }} }}', zhang)

    text = server_log.getvalue()
    for people in demo.PEOPLE:
        assert people.id_number not in text
        assert not people.phone or people.phone not in text
    for document in send.sent:
        assert document not in text
    for literal in ["demo-zhangwei", "ZZ-0001", "阿莫西林", "my-first-payment", "idNumber"]:
        assert literal not in text
    assert "traceback" not in text.lower()

    logged = requests(server_log)
    assert len(logged) == len(send.sent)
    for line in logged:
        assert set(line) >= REQUEST_FIELDS, line
        assert line["duration_ms"] >= 0
    summary = [(x["operation"], x["principal"], x["status"], x["outcome"]) for x in logged]
    assert summary == [
        ("Login", "anonymous", 200, "ok"),
        ("Me", "member", 200, "ok"),
        ("Wallet", "member", 200, "ok"),
        ("Authorize", "member", 200, "ok"),
        ("Bill", "institution", 200, "ok"),
        (None, "anonymous", 200, "ok"),
        ("MyBills", "member", 200, "ok"),
        ("Pay", "member", 200, "ok"),
        ("Records", "member", 200, "ok"),
        ("Invite", "member", 200, "user_error"),
        ("Anonymous", "anonymous", 200, "unauthenticated"),
        ("Invalid", "member", 200, "validation"),
    ]
    assert logged[0]["request_id"] == "walkthrough-0001"
    assert logged[9]["user_errors"] == ["INVALID_INPUT"]
    assert len({line["request_id"] for line in logged}) == len(logged)


async def test_an_agent_and_a_refused_body_are_logged(api: Api, server_log: io.StringIO) -> None:
    await api.http.post("/graphql", content=b"null", headers={"content-type": "application/json"})
    [line] = requests(server_log)
    assert (line["status"], line["outcome"], line["principal"]) == (400, "bad_request", "anonymous")


async def test_an_unexpected_error_logs_its_traceback_once_without_numbers(
    server_log: io.StringIO,
) -> None:
    secret = person("张伟")

    async def broken(request: Request) -> Response:
        raise RuntimeError(f"bug while handling {secret.id_number} / {secret.phone}")

    app = Starlette(routes=[Route("/broken", broken)], middleware=[Middleware(RequestLog)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gongji.test") as http:
        response = await http.get("/broken")
    assert response.status_code == 500
    request_id = response.headers["x-request-id"]
    assert request_id in response.json()["errors"][0]["message"]
    error, request = lines(server_log)
    assert error["logger"] == "gongji.error"
    assert error["request_id"] == request_id
    assert "RuntimeError" in error["traceback"]
    assert request["outcome"] == "error" and request["status"] == 500
    text = server_log.getvalue()
    assert secret.id_number not in text and secret.phone not in text
    assert text.count("Traceback") == 1
