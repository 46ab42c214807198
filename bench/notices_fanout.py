"""Two-worker notice delivery: N payments on worker A, the authorizer subscribed on worker B.

    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python -m bench.notices_fanout --payments 200

Starts two `gongji serve` processes (ports --port and --port+1) on a fresh SQLite file (or
DATABASE_URL) with the demo data, sharing Redis; 张伟 subscribes to `notices` on B; his
mother pays N bills of 1.00 on A, one after the other. For each payment it records the time
from sending `pay` to the notice arriving on B, and from `pay`'s answer (the commit) to it.
127.0.0.1 only; everything it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

GONGJI = str(Path(sys.executable).with_name("gongji"))
HOSPITAL = "gjk_demo_H41010500002"
MOTHER_ID = "410102195001080426"


def start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [GONGJI, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"worker on {port} did not start")


async def gql(http: httpx.AsyncClient, port: int, query: str, token: str = "", **v: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = (
        await http.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": query, "variables": v},
            headers=headers,
        )
    ).json()
    if "errors" in body:
        raise SystemExit(f"refused: {body['errors']}")
    return body["data"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(a: int, b: int, payments: int) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as http:
        login = "mutation($c:String!){ login(code:$c){ token } }"
        zhang = (await gql(http, b, login, c="demo-zhangwei"))["login"]["token"]
        mother = (await gql(http, a, login, c="demo-wangxiuying"))["login"]["token"]
        me = (await gql(http, a, "{ me { id } }", mother))["me"]["id"]
        granted = await gql(
            http,
            b,
            "mutation($r:ID!,$q:Money!){ authorizeFamilyMember(relativeId:$r, quota:$q){"
            " authorization { id } errors { code } } }",
            zhang,
            r=me,
            q=f"{payments + 10}.00",
        )
        authorization = granted["authorizeFamilyMember"]["authorization"]["id"]
        protocol = [Subprotocol("graphql-transport-ws")]
        async with connect(f"ws://127.0.0.1:{b}/graphql", subprotocols=protocol, proxy=None) as ws:
            auth = {"Authorization": f"Bearer {zhang}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": auth}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": "subscription { notices { kind amount } }"},
                    }
                )
            )
            from_send, from_commit, received = [], [], 0
            for n in range(payments):
                bill = await gql(
                    http,
                    a,
                    "mutation($i:CreateBillInput!){ createBill(input:$i){ bill { id } } }",
                    HOSPITAL,
                    i={
                        "externalRef": f"FAN-{n:05d}",
                        "patientName": "王秀英",
                        "patientIdNumber": MOTHER_ID,
                        "visitType": "OUTPATIENT",
                        "items": [{"name": "阿莫西林", "category": "DRUG", "amount": "1.00"}],
                        "medfeeSumamt": "1.00",
                        "hifpPay": "0",
                        "fulamtOwnpayAmt": "0",
                    },
                )
                sent = time.perf_counter()
                await gql(
                    http,
                    a,
                    "mutation($b:ID!,$a:ID!,$k:String!){ pay(billId:$b, authorizationId:$a,"
                    " idempotencyKey:$k){ errors { code } } }",
                    mother,
                    b=bill["createBill"]["bill"]["id"],
                    a=authorization,
                    k=f"fanout-{n:05d}",
                )
                committed = time.perf_counter()
                try:
                    async with asyncio.timeout(5):
                        while True:
                            message = json.loads(await ws.recv())
                            kind = message.get("payload", {}).get("data", {}).get("notices", {})
                            if kind.get("kind") == "AUTHORIZATION_USED":
                                break
                except TimeoutError:
                    continue
                arrived = time.perf_counter()
                received += 1
                from_send.append((arrived - sent) * 1000)
                from_commit.append((arrived - committed) * 1000)
    return {
        "sent": payments,
        "received": received,
        "ms_from_pay_sent": {
            "median": round(statistics.median(from_send), 2),
            "p95": round(percentile(from_send, 95), 2),
        },
        "ms_from_pay_answered": {
            "median": round(statistics.median(from_commit), 2),
            "p95": round(percentile(from_commit, 95), 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--payments", type=int, default=200)
    parser.add_argument("--port", type=int, default=8134)
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "GONGJI_ENV": "development",
            "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite://{tmp}/fanout.sqlite3",
            "REDIS_URL": redis_url,
            "GONGJI_LIMIT_MONEY_PER_MEMBER": "100000/minute",
            "GONGJI_LIMIT_MONEY_PER_INSTITUTION": "100000/minute",
        }
        for command in (["migrate"], ["demo", "--reset"]):
            subprocess.run([GONGJI, *command], env=env, check=True, capture_output=True)
        servers = [start(env, args.port), start(env, args.port + 1)]
        try:
            report = asyncio.run(run(args.port, args.port + 1, args.payments))
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=20)
    print(json.dumps({"redis": redis_url, "database": env["DATABASE_URL"], **report}, indent=2))


if __name__ == "__main__":
    main()
