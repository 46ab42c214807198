"""usageRecords (R19): filters, who sees what, keyset pages, sums, no N+1, CSV export."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest

from gongji.clock import FixedClock
from gongji.demo import demo_api_key
from tests.conftest import (
    CREATE_BILL,
    HENAN_HOSPITAL,
    PREMIUM,
    Api,
    agent_token,
    bill_input,
    mini_program,
    mother_id,
)

pytestmark = pytest.mark.usefixtures("reconciled")

AUTHORIZE = mini_program("AuthorizeFamilyMember")
PAY = mini_program("Pay")

RECORDS = """query($f:UsageRecordFilter,$n:Int,$a:String){
  usageRecords(filter:$f, first:$n, after:$a){
    totalCount
    sums { familyPaid cash byVisitType { visitType count familyPaid cash } }
    pageInfo { hasNextPage endCursor }
    edges { cursor node { kind visitType familyPaid cash total pooledFund amount
      institution { name region { code } } patient { name idNumber } authorizer { name }
      insuredRegion { code } } } } }"""
PAGE = """query($f:UsageRecordFilter,$n:Int,$a:String){
  usageRecords(filter:$f, first:$n, after:$a){
    pageInfo { hasNextPage endCursor }
    edges { node { id kind familyPaid institution { name }
      patient { name } authorizer { name } } } } }"""


async def records(
    api: Api, token: str, f: dict[str, Any] | None = None, **kw: Any
) -> dict[str, Any]:
    data = await api.data(RECORDS, {"f": f, **kw}, token=token)
    result: dict[str, Any] = data["usageRecords"]
    return result


async def refused(api: Api, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    """A query's refusal: a top-level error; its extensions say code, field and rule."""
    body = await api(query, variables, token=token)
    assert len(body["errors"]) == 1, body
    extensions: dict[str, Any] = body["errors"][0]["extensions"]
    return {"code": extensions["code"], "field": extensions["field"]}


@pytest.fixture
async def history(api: Api, clock: FixedClock) -> dict[str, str]:
    """张伟's mother: 3 outpatient and 1 pharmacy payment in 2026, 1 in 2025; a premium."""
    zhang = await api.login("demo-zhangwei")
    mother = await mother_id(api, zhang)
    granted = await api.data(AUTHORIZE, {"relativeId": mother, "quota": "2000.00"}, token=zhang)
    auth = granted["authorizeFamilyMember"]["authorization"]["id"]
    as_mother = await api.login("demo-wangxiuying")
    clock.at = clock.at.replace(year=2025)
    plan = [
        (2025, HENAN_HOSPITAL, "OUTPATIENT", "15.00"),
        (2026, HENAN_HOSPITAL, "OUTPATIENT", "10.00"),
        (2026, HENAN_HOSPITAL, "OUTPATIENT", "20.00"),
        (2026, demo_api_key("P41010500007"), "PHARMACY", "30.00"),
        (2026, HENAN_HOSPITAL, "OUTPATIENT", "40.00"),
    ]
    for n, (year, key, visit, amount) in enumerate(plan):
        clock.at = clock.at.replace(year=year) + timedelta(minutes=1)
        variables = bill_input(f"H-{n}", ("药品", "DRUG", amount), visit=visit)
        bill = (await api.data(CREATE_BILL, variables, token=key))["createBill"]["bill"]["id"]
        as_mother = await api.login("demo-wangxiuying")
        paid = await api.data(
            PAY,
            {"billId": bill, "authorizationId": auth, "idempotencyKey": f"history-{n:04d}"},
            token=as_mother,
        )
        assert paid["pay"]["errors"] == []
    zhang = await api.login("demo-zhangwei")
    await api.data(
        PREMIUM, {"r": mother, "y": 2026, "a": "380", "k": "history-premium"}, token=zhang
    )
    return {"zhang": zhang, "mother": as_mother, "auth": auth}


async def test_patient_sees_own_payments_by_year_and_visit_type(
    api: Api, history: dict[str, str]
) -> None:
    mine = await records(api, history["mother"], {"role": "AS_PATIENT", "year": 2026})
    assert mine["totalCount"] == 5  # 4 payments + the premium paid for her
    payments = await records(
        api, history["mother"], {"role": "AS_PATIENT", "year": 2026, "visitType": "OUTPATIENT"}
    )
    assert [e["node"]["familyPaid"] for e in payments["edges"]] == ["40.00", "20.00", "10.00"]
    node = payments["edges"][0]["node"]
    assert node | {"patient": None, "authorizer": None} == {
        "kind": "PAYMENT",
        "visitType": "OUTPATIENT",
        "familyPaid": "40.00",
        "cash": "0.00",
        "total": "40.00",
        "pooledFund": "0.00",
        "amount": "40.00",
        "institution": {"name": "郑州市中心医院", "region": {"code": "410105"}},
        "patient": None,
        "authorizer": None,
        "insuredRegion": {"code": "410100"},
    }
    assert node["patient"]["idNumber"].count("*") == 8 and node["authorizer"] == {"name": "张伟"}
    assert payments["sums"]["familyPaid"] == "70.00"
    last_year = await records(api, history["mother"], {"year": 2025})
    assert [e["node"]["familyPaid"] for e in last_year["edges"]] == ["15.00"]


async def test_insured_region_filter_matches_province_and_city(
    api: Api, history: dict[str, str]
) -> None:
    for region, count in [("410000", 6), ("410100", 6), ("410102", 0), ("620000", 0)]:
        found = await records(
            api, history["mother"], {"role": "AS_PATIENT", "insuredRegion": region}
        )
        assert found["totalCount"] == count, region
    # The patient's region for every role, as each record shows it: his mother is in Henan.
    as_authorizer = await records(
        api, history["zhang"], {"role": "AS_AUTHORIZER", "insuredRegion": "410000"}
    )
    assert as_authorizer["totalCount"] == 6  # her 5 payments and her premium
    assert {e["node"]["insuredRegion"]["code"][:2] for e in as_authorizer["edges"]} == {"41"}
    own = await records(api, history["zhang"], {"role": "AS_AUTHORIZER", "insuredRegion": "620000"})
    assert own["totalCount"] == 1  # only his own wallet transfer (demo data) is in Gansu
    assert own["edges"][0]["node"]["kind"] == "WALLET_TRANSFER"


async def test_an_institution_cannot_filter_by_role_or_relative(
    api: Api, history: dict[str, str]
) -> None:
    hospital = demo_api_key("H41010500002")
    mother = await mother_id(api, history["zhang"])
    cases = [({"role": "AS_PATIENT"}, "filter.role"), ({"relativeId": mother}, "filter.relativeId")]
    for f, field in cases:
        got = await refused(api, RECORDS, {"f": f}, hospital)
        assert got == {"code": "FILTER_NOT_APPLICABLE", "field": field}
    body = await api.http.get(
        "/export/usage-records.csv",
        params={"role": "AS_PATIENT"},
        headers={"Authorization": f"Bearer {hospital}"},
    )
    assert body.status_code == 400
    assert body.json()["errors"][0]["code"] == "FILTER_NOT_APPLICABLE"


async def test_authorizer_sees_every_use_of_their_money(api: Api, history: dict[str, str]) -> None:
    mine = await records(api, history["zhang"], {"role": "AS_AUTHORIZER", "kind": "PAYMENT"})
    assert mine["totalCount"] == 5
    assert mine["sums"]["familyPaid"] == "115.00"
    by_visit = {s["visitType"]: (s["count"], s["familyPaid"]) for s in mine["sums"]["byVisitType"]}
    assert by_visit == {"OUTPATIENT": (4, "85.00"), "PHARMACY": (1, "30.00")}
    relative = await records(
        api, history["zhang"], {"relativeId": await mother_id(api, history["zhang"])}
    )
    assert relative["totalCount"] == 6
    by_auth = await records(api, history["zhang"], {"authorizationId": history["auth"]})
    assert by_auth["totalCount"] == 5
    assert "items" not in str(await api.data('{ __type(name:"UsageRecord"){ fields { name } } }'))


async def test_institution_sees_only_its_own_bills(api: Api, history: dict[str, str]) -> None:
    hospital = await records(api, HENAN_HOSPITAL)
    assert hospital["totalCount"] == 4
    pharmacy = await records(api, demo_api_key("P41010500007"))
    assert [e["node"]["visitType"] for e in pharmacy["edges"]] == ["PHARMACY"]
    assert (await records(api, demo_api_key("H62010200001")))["totalCount"] == 0


async def test_strangers_see_nothing_and_bad_filters_are_typed(
    api: Api, history: dict[str, str]
) -> None:
    stranger = await api.login("demo-aili")
    assert (await records(api, stranger, {"relativeId": await mother_id(api, history["zhang"])}))[
        "edges"
    ] == []
    for bad, code, field in [
        ({"insuredRegion": "12"}, "INVALID_REGION", "filter.insuredRegion"),
        ({"year": 1900}, "INVALID_INPUT", "filter.year"),
    ]:
        got = await refused(api, RECORDS, {"f": bad}, history["zhang"])
        assert got == {"code": code, "field": field}
    for n, field in [(0, "first"), (101, "first")]:
        got = await refused(api, RECORDS, {"n": n}, history["zhang"])
        assert got == {"code": "INVALID_INPUT", "field": field}
    got = await refused(api, RECORDS, {"a": "garbage"}, history["zhang"])
    assert got == {"code": "INVALID_INPUT", "field": "after"}
    unverified = await api.login("demo-zhaomin")
    got = await refused(api, RECORDS, {}, unverified)
    assert got == {"code": "IDENTITY_NOT_VERIFIED", "field": None}


async def test_keyset_pages_are_stable_when_records_arrive(
    api: Api, history: dict[str, str], clock: FixedClock
) -> None:
    f = {"role": "AS_AUTHORIZER"}
    first = (await api.data(PAGE, {"f": f, "n": 3}, token=history["zhang"]))["usageRecords"]
    assert first["pageInfo"]["hasNextPage"] is True
    clock.advance(timedelta(hours=1))  # a new payment lands between page loads
    bill = await api.data(
        CREATE_BILL, bill_input("H-NEW", ("药品", "DRUG", "5.00")), token=HENAN_HOSPITAL
    )
    await api.data(
        PAY,
        {
            "billId": bill["createBill"]["bill"]["id"],
            "authorizationId": history["auth"],
            "idempotencyKey": "history-new1",
        },
        token=history["mother"],
    )
    seen = [e["node"]["id"] for e in first["edges"]]
    after = first["pageInfo"]["endCursor"]
    while after:
        page = await api.data(PAGE, {"f": f, "n": 3, "a": after}, token=history["zhang"])
        records_page = page["usageRecords"]
        seen += [e["node"]["id"] for e in records_page["edges"]]
        after = (
            records_page["pageInfo"]["endCursor"]
            if records_page["pageInfo"]["hasNextPage"]
            else None
        )
    assert len(seen) == len(set(seen)) == 7  # everything before the new one, once each


@contextmanager
def counting_sql() -> Iterator[list[str]]:
    statements: list[str] = []

    class Counter(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            statements.append(record.getMessage())

    logger = logging.getLogger("tortoise.db_client")
    handler, level = Counter(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_statements_per_page_do_not_grow_with_page_size(
    api: Api, history: dict[str, str]
) -> None:
    counts = {}
    for size in (1, 5):
        with counting_sql() as statements:
            f = {"role": "AS_AUTHORIZER", "kind": "PAYMENT"}
            page = await api.data(PAGE, {"f": f, "n": size}, token=history["zhang"])
        assert len(page["usageRecords"]["edges"]) == size
        counts[size] = len(statements)
    assert counts[1] == counts[5] == 4, counts  # token, page, members, institutions


async def test_agent_reads_records_for_an_audit_with_a_reason(
    api: Api, history: dict[str, str]
) -> None:
    from gongji.audit.models import AuditEntry
    from gongji.demo import PEOPLE

    agent = await agent_token(api, "zhengzhou-01", "410100")  # where she is insured
    query = """query($i:String!,$r:String!){ auditUsageRecords(idNumber:$i, reason:$r){
      totalCount } }"""
    mother = next(p for p in PEOPLE if p.name == "王秀英").id_number
    got = await refused(api, query, {"i": mother, "r": ""}, agent)
    assert got == {"code": "AGENT_REASON_REQUIRED", "field": "reason"}
    reason = "疑似套取医保基金，调阅使用记录核查"
    read = await api.data(query, {"i": mother, "r": reason}, token=agent)
    assert read["auditUsageRecords"]["totalCount"] == 6
    entry = await AuditEntry.get(action="records.audit_read")
    assert entry.reason == reason
    got = await refused(api, query, {"i": mother, "r": "curious"}, history["zhang"])
    assert got == {"code": "FORBIDDEN", "field": None}


async def test_csv_export_with_bom_for_excel(api: Api, history: dict[str, str]) -> None:
    response = await api.http.get(
        "/export/usage-records.csv",
        params={"role": "AS_AUTHORIZER", "year": "2026", "kind": "PAYMENT"},
        headers={"Authorization": f"Bearer {history['zhang']}"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "时间 time" and len(rows) == 1 + 4
    assert rows[1][3] == "郑州市中心医院" and rows[1][5] == "王秀英" and rows[1][10] == "40.00"
    assert "41 定点药店购药" in {r[2] for r in rows[1:]}
    assert all(r[0].startswith("2026-") and r[0].endswith("+08:00") for r in rows[1:])
    unauthenticated = await api.http.get("/export/usage-records.csv")
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["errors"][0]["code"] == "UNAUTHENTICATED"
    forged = await api.http.get(
        "/export/usage-records.csv",
        headers={"Authorization": "Bearer gjs_forged", "Accept-Language": "en"},
    )
    assert forged.status_code == 401
    assert forged.json()["errors"][0]["code"] == "TOKEN_INVALID"
    assert "log in again" in forged.json()["errors"][0]["message"]
    bad = await api.http.get(
        "/export/usage-records.csv",
        params={"visitType": "99"},
        headers={"Authorization": f"Bearer {history['zhang']}"},
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "filter.visitType"
