"""The `notices` subscription over a real server: auth at connect, closing at expiry, and
the fan-out across two `gongji serve` processes through Redis."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed

from gongji.api.context import Services
from gongji.app import create_app
from gongji.clock import FixedClock
from tests.conftest import (
    HENAN_HOSPITAL,
    ON_MYSQL,
    ON_POSTGRES,
    Api,
    bill_input,
    create_bill,
    next_notice,
    notice_stream,
    person,
)

# Three ports per engine, so the suites of several engines can run side by side.
PORT = 8137 if ON_MYSQL else 8134 if ON_POSTGRES else 8131
URL = f"ws://127.0.0.1:{PORT}/graphql"
REDIS_URL = os.environ.get("GONGJI_TEST_REDIS_URL", "")


@pytest.fixture
async def live(services: Services) -> AsyncIterator[None]:
    """This process's app on a real port, the test clock inside; tokens re-checked often."""
    settings = replace(services.settings, subscription_recheck_seconds=0.05)
    app = create_app(settings, services=replace(services, settings=settings), manage_database=False)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=PORT, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110  (uvicorn sets a flag, not an event)
        await asyncio.sleep(0.01)
    yield
    server.should_exit = True
    await task


async def _pay(api: Api, family: dict[str, str], ref: str, amount: str) -> None:
    bill = await create_bill(api, HENAN_HOSPITAL, bill_input(ref, ("阿莫西林", "DRUG", amount)))
    data = await api.data(
        "mutation($b:ID!,$a:ID!,$k:String!){ pay(billId:$b, authorizationId:$a,"
        " idempotencyKey:$k){ errors { code } } }",
        {"b": bill, "a": family["auth"], "k": f"key-{ref}"},
        token=family["mother"],
    )
    assert data["pay"]["errors"] == [], data


async def test_a_payment_reaches_the_authorizer_live(
    api: Api, demo_data: None, family: dict[str, str], live: None
) -> None:
    async with notice_stream(URL, family["zhang"]) as ws:
        await _pay(api, family, "LIVE-1", "25.00")
        notice = await next_notice(ws)
    assert (notice["kind"], notice["counterpart"], notice["amount"]) == (
        "AUTHORIZATION_USED",
        "王秀英",
        "25.00",
    )


@pytest.mark.parametrize("token", [None, "gjs_not-a-token"])
async def test_without_a_valid_token_the_connection_is_refused_4403(
    demo_data: None, live: None, token: str | None
) -> None:
    async with notice_stream(URL, token) as ws:
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    assert ws.close_code == 4403


async def test_an_unverified_user_is_refused_4403(api: Api, demo_data: None, live: None) -> None:
    stranger = await api.login("mock-nobody")
    async with notice_stream(URL, stranger) as ws:
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    assert ws.close_code == 4403


async def test_the_socket_closes_when_the_token_expires(
    api: Api, demo_data: None, family: dict[str, str], live: None, clock: FixedClock
) -> None:
    async with notice_stream(URL, family["zhang"]) as ws:
        await _pay(api, family, "LIVE-2", "5.00")
        await next_notice(ws)
        clock.advance(timedelta(days=7, seconds=1))
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(5):
                await ws.recv()
    assert ws.close_code == 4403


async def test_logging_out_closes_the_socket(
    api: Api, demo_data: None, family: dict[str, str], live: None
) -> None:
    async with notice_stream(URL, family["zhang"]) as ws:
        await api.data("mutation { logout { __typename } }", token=family["zhang"])
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(5):
                await ws.recv()
    assert ws.close_code == 4403


# --- two server processes, one database, Redis between them -------------------------------

GONGJI = str(Path(sys.executable).with_name("gongji"))


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two `gongji serve` processes on one SQLite file, sharing Redis (GONGJI_TEST_REDIS_URL)."""
    if not REDIS_URL:
        pytest.skip("set GONGJI_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/3) to run it")
    env = {
        **os.environ,
        "GONGJI_ENV": "development",
        "DATABASE_URL": f"sqlite://{tmp_path / 'shared.sqlite3'}",
        "REDIS_URL": REDIS_URL,
        "GONGJI_LOG_FORMAT": "text",
    }
    for command in (["migrate"], ["demo"]):
        subprocess.run([GONGJI, *command], env=env, check=True, capture_output=True, timeout=120)
    ports = (PORT + 1, PORT + 2)
    servers = [
        subprocess.Popen(
            [GONGJI, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"worker on {port} did not start"
                time.sleep(0.2)
        yield f"127.0.0.1:{ports[0]}", f"127.0.0.1:{ports[1]}"
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)


async def _graphql(
    http: httpx.AsyncClient, base: str, query: str, token: str = "", **variables: Any
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        f"http://{base}/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def test_a_notice_made_on_one_worker_reaches_a_subscriber_on_the_other(
    two_workers: tuple[str, str],
) -> None:
    a, b = two_workers
    async with httpx.AsyncClient(timeout=30) as http:
        login = "mutation($c:String!){ login(code:$c){ token } }"
        zhang = (await _graphql(http, b, login, c="demo-zhangwei"))["login"]["token"]
        mother = (await _graphql(http, a, login, c="demo-wangxiuying"))["login"]["token"]
        me = await _graphql(http, a, "{ me { id } }", mother)
        granted = await _graphql(
            http,
            b,
            'mutation($r:ID!){ authorizeFamilyMember(relativeId:$r, quota:"100.00"){'
            " authorization { id } errors { code } } }",
            zhang,
            r=me["me"]["id"],
        )
        authorization = granted["authorizeFamilyMember"]["authorization"]["id"]
        async with notice_stream(f"ws://{b}/graphql", zhang) as ws:
            bill = await _graphql(
                http,
                a,
                "mutation($i:CreateBillInput!){ createBill(input:$i){ bill { id } } }",
                HENAN_HOSPITAL,
                **bill_input("TWO-1", ("阿莫西林", "DRUG", "12.00")),
            )
            paid = await _graphql(
                http,
                a,
                "mutation($b:ID!,$a:ID!){ pay(billId:$b, authorizationId:$a,"
                ' idempotencyKey:"two-workers-1"){ errors { code } } }',
                mother,
                b=bill["createBill"]["bill"]["id"],
                a=authorization,
            )
            assert paid["pay"]["errors"] == []
            notice = await next_notice(ws)
    assert (notice["kind"], notice["counterpart"], notice["amount"], notice["remaining"]) == (
        "AUTHORIZATION_USED",
        person("王秀英").name,
        "12.00",
        "88.00",
    )
