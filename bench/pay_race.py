"""Concurrent payments against one authorization, over real HTTP (issue: ledger concurrency).

Start a server on PostgreSQL with the demo data first (see bench/README.md), then:
    .venv/bin/python bench/pay_race.py --runs 5
Each run: 张伟 authorizes his mother a fresh quota, the Zhengzhou hospital bills her N times,
and N payments go out at once. Prints requests, paid, refused, elapsed time, and checks the
invariants from the API's own answers. Run `gongji reconcile` afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections import Counter
from typing import Any

import httpx

MOTHER_ID = "410102195001080426"
HOSPITAL_KEY = "gjk_demo_H41010500002"
URL = "http://127.0.0.1:8000/graphql"


async def gql(client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        URL, json={"query": query, "variables": variables}, headers=headers
    )
    body = response.json()
    if "errors" in body:
        raise RuntimeError(body["errors"])
    return body["data"]


async def login(client: httpx.AsyncClient, code: str) -> str:
    data = await gql(client, "mutation($c:String!){login(code:$c){token}}", {"c": code}, "")
    return str(data["login"]["token"])


def fen(yuan: str) -> int:
    whole, _, cents = yuan.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


async def run_once(client: httpx.AsyncClient, args: argparse.Namespace) -> dict[str, Any]:
    zhang, mother = await login(client, "demo-zhangwei"), await login(client, "demo-wangxiuying")
    groups = await gql(client, "{ myFamilyGroups { members { person { id name } } } }", {}, zhang)
    mother_id = next(
        m["person"]["id"]
        for g in groups["myFamilyGroups"]
        for m in g["members"]
        if m["person"]["name"] == "王秀英"
    )
    for old in (await gql(client, "{ authorizationsGranted { id status } }", {}, zhang))[
        "authorizationsGranted"
    ]:
        if old["status"] == "ACTIVE":
            await gql(
                client,
                "mutation($a:ID!){revokeAuthorization(authorizationId:$a){errors{code}}}",
                {"a": old["id"]},
                zhang,
            )
    granted = await gql(
        client,
        "mutation($r:ID!,$q:Money!){authorizeFamilyMember(relativeId:$r,quota:$q)"
        "{authorization{id} errors{code}}}",
        {"r": mother_id, "q": args.quota},
        zhang,
    )
    if granted["authorizeFamilyMember"]["errors"]:
        raise SystemExit(f"cannot authorize: {granted['authorizeFamilyMember']['errors']}")
    auth = granted["authorizeFamilyMember"]["authorization"]["id"]
    tag = uuid.uuid4().hex[:8]
    bills = []
    for n in range(args.requests):
        created = await gql(
            client,
            "mutation($i:CreateBillInput!){createBill(input:$i){bill{id} errors{code}}}",
            {
                "i": {
                    "externalRef": f"BENCH-{tag}-{n}",
                    "patientName": "王秀英",
                    "patientIdNumber": MOTHER_ID,
                    "visitType": "OUTPATIENT",
                    "items": [{"name": "药品", "category": "DRUG", "amount": args.amount}],
                    "medfeeSumamt": args.amount,
                    "hifpPay": "0",
                    "fulamtOwnpayAmt": "0",
                }
            },
            HOSPITAL_KEY,
        )
        bills.append(created["createBill"]["bill"]["id"])
    pay = (
        "mutation($b:ID!,$a:ID!,$k:String!){pay(billId:$b,authorizationId:$a,idempotencyKey:$k)"
        "{payment{acctMulaidPay} errors{code}}}"
    )
    started = time.perf_counter()
    results = await asyncio.gather(
        *(
            gql(client, pay, {"b": b, "a": auth, "k": f"bench-{tag}-{n}"}, mother)
            for n, b in enumerate(bills)
        )
    )
    elapsed = time.perf_counter() - started
    paid = [fen(r["pay"]["payment"]["acctMulaidPay"]) for r in results if r["pay"]["payment"]]
    refused = Counter(e["code"] for r in results for e in r["pay"]["errors"])
    final = await gql(client, "{ authorizationsGranted { id quota spent } }", {}, zhang)
    mine = next(a for a in final["authorizationsGranted"] if a["id"] == auth)
    assert sum(paid) <= fen(args.quota), "overdraft!"
    assert sum(paid) == fen(mine["spent"]), "API's spent differs from payments"
    assert len(paid) + sum(refused.values()) == args.requests, "a request got no answer"
    return {"elapsed": elapsed, "paid": len(paid), "sum": sum(paid), "refused": refused}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--quota", default="500.00")
    parser.add_argument("--amount", default="30.00")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    global URL
    URL = args.url
    limits = httpx.Limits(max_connections=args.requests)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        runs = [await run_once(client, args) for _ in range(args.runs)]
    for n, r in enumerate(runs, 1):
        print(
            f"run {n}: {args.requests} requests, {r['paid']} paid ({r['sum'] / 100:.2f} yuan), "
            f"refused {dict(r['refused'])}, {r['elapsed'] * 1000:.0f} ms"
        )
    print(
        f"median elapsed: {statistics.median(r['elapsed'] for r in runs) * 1000:.0f} ms "
        f"over {args.runs} runs; quota {args.quota}, bills of {args.amount}"
    )


if __name__ == "__main__":
    asyncio.run(main())
