"""A small run of the benchmark harness: the generator, and both paths agreeing on answers."""

from __future__ import annotations

import httpx
import pytest
from bench.raw_app import create as create_raw_app

from bench import generate
from gongji.api.context import Services
from gongji.ledger.service import reconcile
from gongji.payments.models import Bill
from gongji.records.models import UsageRecord
from gongji.wallets.models import Authorization
from tests.conftest import Api

RECORDS = """query($f:UsageRecordFilter){ usageRecords(filter:$f, first:20){
  edges { node { id familyPaid institution { name } patient { name } } } } }"""


@pytest.fixture
async def generated(clean_db: str) -> None:
    await generate.generate(records=300, families=40, payer_count=2, bills_each=3, seed=1)


@pytest.mark.usefixtures("generated")
async def test_generator_fills_a_consistent_database() -> None:
    assert await UsageRecord.all().count() == 300
    assert await Bill.filter(status="open").count() == 6
    assert await Authorization.filter(status="active").count() == 2
    assert (await reconcile()).clean


@pytest.mark.usefixtures("generated")
async def test_graphql_and_raw_paths_give_the_same_answers(api: Api, services: Services) -> None:
    token = await api.login("demo-bench-0")
    raw = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_raw_app(services)), base_url="http://raw"
    )
    headers = {"Authorization": f"Bearer {token}"}
    for f in [{}, {"role": "AS_AUTHORIZER", "kind": "PAYMENT"}, {"year": 2025}]:
        graph = (await api.data(RECORDS, {"f": f}, token=token))["usageRecords"]["edges"]
        plain = (
            await raw.post("/raw/usage-records", json={"filter": f, "first": 20}, headers=headers)
        ).json()
        assert [e["node"]["id"] for e in graph] == [
            e["node"]["id"] for e in plain["edges"]
        ]
        assert [e["node"]["familyPaid"] for e in graph] == [
            e["node"]["familyPaid"] for e in plain["edges"]
        ]
    payer = await api.login("demo-payer-0")
    bills = await Bill.filter(status="open", external_ref__startswith="BENCH-0-").order_by(
        "external_ref"
    )
    auth = await Authorization.get(relative_id=bills[0].patient_id)  # type: ignore[attr-defined]
    pay = (
        "mutation($b:ID!,$a:ID!,$k:String!)"
        "{pay(billId:$b,authorizationId:$a,idempotencyKey:$k){errors{code}}}"
    )
    first = await api.data(
        pay,
        {"b": str(bills[0].id), "a": str(auth.id), "k": "smoke-graphql-1"},
        token=payer,
    )
    assert first["pay"]["errors"] == []
    second = await raw.post(
        "/raw/pay",
        json={
            "billId": str(bills[1].id),
            "authorizationId": str(auth.id),
            "idempotencyKey": "smoke-raw-1",
        },
        headers={"Authorization": f"Bearer {payer}"},
    )
    assert second.json()["errors"] == []
    await raw.aclose()
    assert (await reconcile()).clean
