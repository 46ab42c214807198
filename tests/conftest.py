"""Test fixtures. The schema comes from the real migrations, never from generate_schemas.

SQLite by default. Set GONGJI_TEST_DATABASE_URL (postgres://… or mysql://…) to run the same
suite there; that database is wiped. If it is set and unreachable the run fails, never skips.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import tomllib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from tortoise.contrib.test import truncate_all_models

from gongji import db, demo, logs, pii
from gongji.api.context import Services
from gongji.app import GongjiGraphQL, create_app
from gongji.clock import FixedClock
from gongji.identity import service as identity
from gongji.identity.face import FaceProvider, MockFaceProvider
from gongji.identity.rules import AgentScope
from gongji.identity.wechat import MockCodeToSession
from gongji.money import parse_yuan
from gongji.regions.policy import PolicyBook
from gongji.settings import RateLimits, Settings
from gongji.throttle.service import Throttle
from tests.differential import MISMATCHES, DifferentialExecution

# The suite runs the mock providers and the public development PII key, here and in every
# command or server it starts: that is development mode.
os.environ.setdefault("GONGJI_ENV", "development")
TEST_DATABASE_URL = os.environ.get("GONGJI_TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith(("postgres://", "postgresql://"))
ON_MYSQL = TEST_DATABASE_URL.startswith("mysql://")
ISOLATION = os.environ.get("GONGJI_TEST_ISOLATION", "").replace("-", " ") or None
if ISOLATION and (not ON_POSTGRES or ISOLATION not in ("serializable", "repeatable read")):
    raise pytest.UsageError("GONGJI_TEST_ISOLATION: serializable or repeatable-read, on PostgreSQL")
# 2026-03-10 10:00 in China: inside transfer hours, after Gansu went nationwide.
START = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES or ON_MYSQL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL or MySQL: run make test-pg")
    for item in items:
        if "concurrent" in item.keywords or "server_db" in item.keywords:
            item.add_marker(skip)


async def _set_isolation(conn: Any, url: str, level: str | None) -> None:
    """GONGJI_TEST_ISOLATION=serializable runs the suite with the PostgreSQL test database at
    SERIALIZABLE, as CockroachDB runs (make test-pg-serializable); the end of the run resets it."""
    database = f'ALTER DATABASE "{urlsplit(url).path.lstrip("/")}"'
    if level:
        await conn.execute(f"{database} SET default_transaction_isolation = '{level}'")
    else:
        await conn.execute(f"{database} RESET default_transaction_isolation")


async def _reset(url: str) -> None:
    """Empty the test database so migrations start from nothing."""
    if ON_POSTGRES:
        import asyncpg

        try:
            conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1), timeout=5)
        except (OSError, asyncpg.PostgresError) as error:
            pytest.exit(f"PostgreSQL at {url} is unreachable: {error}", returncode=3)
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            await _set_isolation(conn, url, ISOLATION)
        finally:
            await conn.close()
    elif ON_MYSQL:
        import asyncmy
        import asyncmy.errors

        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        try:
            conn = await asyncmy.connect(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 3306,
                user=parts.username or "root",
                password=parts.password or "",
                connect_timeout=5,
            )
        except (OSError, asyncmy.errors.OperationalError) as error:
            pytest.exit(f"MySQL at {url} is unreachable: {error}", returncode=3)
        async with conn.cursor() as cursor:
            await cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            await cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        conn.close()


async def _scratch_url(tmp_path: Path) -> str:
    """An empty database beside the test database, on the same engine (its name + "_scratch")."""
    if not (ON_POSTGRES or ON_MYSQL):
        return f"sqlite://{tmp_path / 'scratch.sqlite3'}"
    parts = urlsplit(TEST_DATABASE_URL)
    url = parts._replace(path=parts.path + "_scratch").geturl()
    if ON_POSTGRES:
        import asyncpg

        conn = await asyncpg.connect(TEST_DATABASE_URL.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}_scratch"')
        finally:
            await conn.close()
    else:
        await _reset(url)
    return url


@pytest.fixture
async def scratch_url(tmp_path: Path) -> str:
    """For tests that migrate a database of their own (in a subprocess: migrating re-binds the
    ORM's models). Migrating it creates it; it is emptied first."""
    return await _scratch_url(tmp_path)


@pytest.fixture(scope="session")
async def database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    url = TEST_DATABASE_URL or f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    pii.use(pii.Keyring.from_settings(Settings(development=True)))  # the public test key
    await _reset(url)
    await db.migrate(url)
    await db.connect(url)
    yield url
    await db.disconnect()
    if ISOLATION:
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await _set_isolation(conn, url, None)
        finally:
            await conn.close()


async def _truncate() -> None:
    if not ON_MYSQL:
        await truncate_all_models()
        return
    # FOREIGN_KEY_CHECKS is per connection: keep every DELETE on the one that switched it off
    from tortoise import Tortoise
    from tortoise.transactions import in_transaction

    async with in_transaction() as connection:
        await connection.execute_script("SET FOREIGN_KEY_CHECKS = 0")
        for model in Tortoise.apps.get_models_iterable():
            await connection.execute_script(f"DELETE FROM `{model._meta.db_table}`")
        await connection.execute_script("SET FOREIGN_KEY_CHECKS = 1")


@pytest.fixture
async def clean_db(database: str) -> str:
    await _truncate()
    return database


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def policies() -> PolicyBook:
    return PolicyBook.load()


def policy_book(**regions: dict[str, Any]) -> PolicyBook:
    """The shipped policy with some regions' keys changed: `policy_book(r620000={...})`."""
    text = resources.files("gongji.regions").joinpath("policies.toml").read_text("utf-8")
    data = tomllib.loads(text)
    for key, changes in regions.items():
        data["regions"][key.removeprefix("r")].update(changes)
    return PolicyBook(data)


@pytest.fixture
def face() -> MockFaceProvider:
    return MockFaceProvider(auto_pass=False)


UNTHROTTLED = RateLimits(**{f.name: "100000/minute" for f in dataclasses.fields(RateLimits)})


@pytest.fixture
def services(
    request: pytest.FixtureRequest, clock: FixedClock, policies: PolicyBook, face: MockFaceProvider
) -> Services:
    # The race tests fire 100 payments at once to test row locks, not rate limits.
    concurrent = request.node.get_closest_marker("concurrent") is not None
    settings = Settings(development=True)
    if concurrent:
        settings = replace(settings, rate_limits=UNTHROTTLED)
    return Services(
        settings=settings,
        policies=policies,
        wechat=MockCodeToSession(),
        face=face,
        clock=clock,
        throttle=Throttle.from_settings(settings),
    )


@pytest.fixture
async def demo_data(clean_db: str, clock: FixedClock, policies: PolicyBook) -> None:
    await demo.load(clock.now(), policies)


@dataclass
class Api:
    """A GraphQL client over ASGI, as a mini-program or partner would call the server."""

    http: httpx.AsyncClient
    face: FaceProvider

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        language: str | None = None,
    ) -> dict[str, Any]:
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if language:
            headers["Accept-Language"] = language
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        body = await self(query, variables, **kw)
        assert "errors" not in body, body
        return body["data"]

    async def login(self, code: str) -> str:
        data = await self.data(mini_program("Login"), {"code": code})
        token: str = data["login"]["token"]
        return token

    async def face_verify(self, token: str, name: str, id_number: str, *, passed: bool) -> str:
        started = mini_program("StartFaceVerification")
        data = await self.data(started, {"name": name, "idNumber": id_number}, token=token)
        verify_id: str = data["startFaceVerification"]["verifyId"]
        assert verify_id, data
        response = await self.http.post(
            f"/mock/wechat/face/{verify_id}",
            params={"result": "pass" if passed else "fail"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200
        return verify_id


def differential(app: Starlette) -> None:
    """Every operation also runs through graphql-core's reference executor (tests/differential)."""
    for route in app.routes:
        if isinstance(route, Route) and isinstance(route.endpoint, GongjiGraphQL):
            schema = route.endpoint.schema
            assert isinstance(schema, strawberry.Schema)
            schema.execution_context_class = DifferentialExecution


@asynccontextmanager
async def serve(services: Services, face: MockFaceProvider) -> AsyncIterator[Api]:
    """An app over ASGI; its peer address is 127.0.0.1 (httpx's ASGITransport)."""
    app = create_app(services.settings, services=services, manage_database=False)
    differential(app)
    MISMATCHES.clear()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gongji.test") as http:
        yield Api(http, face)
    await app.state.notices.outbox.settled()  # WeChat sends in the background: let them end
    assert MISMATCHES == [], "the fast path and the reference executor differ:\n" + "\n".join(
        MISMATCHES
    )


@pytest.fixture
async def api(services: Services, face: MockFaceProvider) -> AsyncIterator[Api]:
    async with serve(services, face) as client:
        yield client


ApiWith = Callable[..., Awaitable[Api]]


@pytest.fixture
async def api_with(services: Services, face: MockFaceProvider) -> AsyncIterator[ApiWith]:
    """`await api_with(rate_limits=RateLimits(login_per_ip="3/minute"))`: another app over
    the same database, with these Settings changed and counters of its own (or Redis's)."""
    async with AsyncExitStack() as stack:

        async def make(**changes: Any) -> Api:
            settings = replace(services.settings, **changes)
            own = replace(services, settings=settings, throttle=Throttle.from_settings(settings))
            stack.push_async_callback(own.throttle.close)
            return await stack.enter_async_context(serve(own, face))

        yield make


def person(name: str) -> demo.DemoPerson:
    return next(p for p in demo.PEOPLE if p.name == name)


ROOT = Path(__file__).resolve().parent.parent
MINI_PROGRAM = ROOT / "miniprogram_mock" / "graphql"


def mini_program(operation: str) -> str:
    """The document the mini-program sends for this operation (miniprogram_mock/graphql/)."""
    return (MINI_PROGRAM / f"{operation}.graphql").read_text("utf-8")


def codes(payload: dict[str, Any]) -> list[str]:
    """The error codes of a mutation's payload."""
    return [e["code"] for e in payload["errors"]]


async def mother_id(api: Api, token: str) -> str:
    """王秀英's member id, as her son 张伟 (token) sees it in his family group."""
    groups = await api.data(
        "{ myFamilyGroups { members { role person { id name } } } }", token=token
    )
    ident: str = next(
        m["person"]["id"]
        for g in groups["myFamilyGroups"]
        for m in g["members"]
        if m["person"]["name"] == "王秀英"
    )
    return ident


async def create_group(api: Api, token: str, name: str = "张家") -> str:
    """A family group created with the current commitment letter; its id."""
    data = await api.data(
        mini_program("CreateFamilyGroup"),
        {"input": {"name": name, "acceptCommitment": True, "commitmentVersion": "2024.1"}},
        token=token,
    )
    assert data["createFamilyGroup"]["errors"] == []
    group_id: str = data["createFamilyGroup"]["group"]["id"]
    return group_id


@pytest.fixture
async def reconciled(demo_data: None) -> AsyncIterator[None]:
    """After the test: every balance equals its entries, and every quota its account (R22)."""
    from gongji.ledger.service import reconcile
    from gongji.wallets.service import quota_problems

    yield
    report = await reconcile()
    assert report.clean, report.problems
    assert await quota_problems() == []


async def agent_token(
    api: Api, username: str, region: str, scope: AgentScope = AgentScope.CITY
) -> str:
    """A service-hall agent of an office in `region`, signed in."""
    password = "a-long-agent-password"
    await identity.add_agent(
        username=username,
        name="经办员",
        office_region=region,
        password=password,
        now=START,
        scope=scope,
    )
    data = await api.data(
        "mutation($u:String!,$p:String!){agentLogin(username:$u,password:$p){token}}",
        {"u": username, "p": password},
    )
    token: str = data["agentLogin"]["token"]
    return token


async def member_id(api: Api, token: str) -> str:
    data = await api.data("{ me { id } }", token=token)
    ident: str = data["me"]["id"]
    return ident


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    """What `gongji serve` would write to its log, as text."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = logs.configure("json", stream)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


PREMIUM = """mutation($r:ID!,$y:Int!,$a:Money!,$k:String!){
  payResidentPremium(relativeId:$r, year:$y, amount:$a, idempotencyKey:$k){
    replayed premium { year amount relative { name } } errors { code rule } } }"""


# --- bills, shared by the payment tests -------------------------------------------------

CREATE_BILL = """mutation($i:CreateBillInput!){ createBill(input:$i){
  bill { id status visitType medfeeSumamt patient { name idNumber } proxyBuyer { name }
         institution { code region { name } } items { name category amount } }
  errors { code field rule } } }"""


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
    groups = await api.data("{ myFamilyGroups { members { person { id name } } } }", token=zhang)
    mother = next(
        m["person"]["id"]
        for g in groups["myFamilyGroups"]
        for m in g["members"]
        if m["person"]["name"] == "王秀英"
    )
    granted = await api.data(
        "mutation($r:ID!,$q:Money!){ authorizeFamilyMember(relativeId:$r, quota:$q){"
        " authorization { id } errors { code } } }",
        {"r": mother, "q": "500.00"},
        token=zhang,
    )
    return {
        "zhang": zhang,
        "mother": await api.login("demo-wangxiuying"),
        "auth": granted["authorizeFamilyMember"]["authorization"]["id"],
    }


def nodes(connection: dict[str, Any]) -> list[Any]:
    """The items of one page of a Relay connection."""
    return [edge["node"] for edge in connection["edges"]]


@pytest.fixture
async def unthrottled_api(api_with: ApiWith) -> Api:
    """The app with every rate limit lifted: the fuzz and the authorization matrix send
    hundreds of requests from one address, and a RATE_LIMITED answer would hide what they test."""
    return await api_with(rate_limits=UNTHROTTLED)


async def agent_login(api: Api, username: str, password: str) -> str:
    data = await api.data(
        "mutation($u:String!,$p:String!){agentLogin(username:$u,password:$p){token}}",
        {"u": username, "p": password},
    )
    token: str = data["agentLogin"]["token"]
    return token


@dataclass
class Scene:
    """The Urumqi demo family with everything an operation can name: 艾力 authorizes his
    daughter 阿依古丽 (relative), 古丽 is his wife (a member with no authorization), 赵敏 is
    verified and in no family but has 艾力's invitation pending; Urumqi's hospital billed the
    daughter twice (one bill paid, one open) and she holds a payment code."""

    tokens: dict[str, str]  # caller → bearer token or API key
    ids: dict[str, str]  # what → id or value, as the API shows it


URUMQI_HOSPITAL = demo.demo_api_key("H65010200001")
HENAN_HOSPITAL = demo.demo_api_key("H41010500002")


async def _payload(api: Api, document: str, variables: dict[str, Any], token: str) -> Any:
    data = await api.data(document, variables, token=token)
    payload = next(iter(data.values()))
    assert payload["errors"] == [], payload
    return payload


@pytest.fixture
async def scene(unthrottled_api: Api, demo_data: None) -> Scene:
    return await build_scene(unthrottled_api)


async def build_scene(api: Api, *, fresh: bool = False) -> Scene:
    """The scene on the demo data; `fresh` empties the database and loads the demo first."""
    if fresh:
        await _truncate()
        await demo.load(START, PolicyBook.load())
    tokens = {
        "authorizer": await api.login("demo-aili"),
        "member": await api.login("demo-guli"),
        "relative": await api.login("demo-ayiguli"),
        "stranger": await api.login("demo-zhaomin"),
        "own institution": URUMQI_HOSPITAL,
        "other institution": HENAN_HOSPITAL,
        "agent": await agent_token(api, "urumqi-agent", "650100"),
    }
    zhao = person("赵敏")
    verify_id = await api.face_verify(tokens["stranger"], zhao.name, zhao.id_number, passed=True)
    await _payload(
        api,
        "mutation($v:String!){verifyIdentity(verifyId:$v){errors{code}}}",
        {"v": verify_id},
        tokens["stranger"],
    )
    groups = await api.data(
        "{ myFamilyGroups { id members { person { id name } } } }", token=tokens["authorizer"]
    )
    group = groups["myFamilyGroups"][0]
    people = {m["person"]["name"]: m["person"]["id"] for m in group["members"]}
    granted = await api.data(
        "{ authorizationsGranted { edges { node { id } } } }", token=tokens["authorizer"]
    )
    authorization = nodes(granted["authorizationsGranted"])[0]["id"]
    invited = await _payload(
        api,
        "mutation($i:InviteFamilyMemberInput!){inviteFamilyMember(input:$i){"
        " invitation { id } errors { code } } }",
        {
            "i": {
                "groupId": group["id"],
                "name": zhao.name,
                "idNumber": zhao.id_number,
                "relationship": "SIBLING",
            }
        },
        tokens["authorizer"],
    )
    daughter = {"patient": "阿依古丽"}
    open_bill = await create_bill(
        api, URUMQI_HOSPITAL, bill_input("UR-OPEN", ("阿莫西林", "DRUG", "30.00"), **daughter)
    )
    paid_bill = await create_bill(
        api, URUMQI_HOSPITAL, bill_input("UR-PAID", ("血常规", "EXAMINATION", "20.00"), **daughter)
    )
    paid = await _payload(
        api,
        "mutation($b:ID!,$a:ID!){ pay(billId:$b, authorizationId:$a,"
        ' idempotencyKey:"scene-payment"){ payment { id } errors { code } } }',
        {"b": paid_bill, "a": authorization},
        tokens["relative"],
    )
    code = await _payload(
        api,
        "mutation($a:ID!){ createPaymentCode(authorizationId:$a){ code errors { code } } }",
        {"a": authorization},
        tokens["relative"],
    )
    keys = await api.data("{ myApiKeys { id } }", token=URUMQI_HOSPITAL)
    letter = await api.data("{ commitmentLetter { version } }")
    return Scene(
        tokens=tokens,
        ids={
            "group": group["id"],
            "authorizer": people["艾力·买买提"],
            "member": people["古丽"],
            "relative": people["阿依古丽"],
            "authorization": authorization,
            "invitation": invited["invitation"]["id"],
            "open bill": open_bill,
            "paid bill": paid_bill,
            "payment": paid["payment"]["id"],
            "payment code": code["code"],
            "api key": keys["myApiKeys"][0]["id"],
            "commitment version": letter["commitmentLetter"]["version"],
        },
    )


# --- database round trips, counted at the driver ------------------------------------------


@dataclass
class RoundTrips:
    """Commands sent to the database server while counting: every statement, BEGIN and
    COMMIT included (asyncpg: each execution, prepared statements cached; asyncmy: each
    command packet, a multi-statement query being one)."""

    count: int = 0
    statements: list[str] = dataclasses.field(default_factory=list)
    counting: bool = False

    @asynccontextmanager
    async def measure(self) -> AsyncIterator[RoundTrips]:
        self.count, self.statements, self.counting = 0, [], True
        try:
            yield self
        finally:
            self.counting = False

    def seen(self, sql: object) -> None:
        if self.counting:
            self.count += 1
            text = sql.decode(errors="replace") if isinstance(sql, bytes) else str(sql)
            self.statements.append(" ".join(text.split())[:160])


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> RoundTrips:
    """`async with round_trips.measure() as trips: …; trips.count` (PostgreSQL or MySQL)."""
    trips = RoundTrips()
    if ON_POSTGRES:
        from asyncpg.connection import Connection as PgConnection

        execute, run, many = (
            PgConnection.execute,
            PgConnection._execute,
            PgConnection._executemany,
        )

        async def counted_execute(self: Any, query: str, *args: Any, **kw: Any) -> Any:
            if not args:  # with arguments it goes through _execute, counted there
                trips.seen(query)
            return await execute(self, query, *args, **kw)

        async def counted_run(self: Any, query: str, *args: Any, **kw: Any) -> Any:
            trips.seen(query)
            return await run(self, query, *args, **kw)

        async def counted_many(self: Any, query: str, *args: Any, **kw: Any) -> Any:
            trips.seen(query)
            return await many(self, query, *args, **kw)

        monkeypatch.setattr(PgConnection, "execute", counted_execute)
        monkeypatch.setattr(PgConnection, "_execute", counted_run)
        monkeypatch.setattr(PgConnection, "_executemany", counted_many)
    elif ON_MYSQL:
        from asyncmy.connection import Connection as MyConnection

        command = MyConnection._execute_command

        async def counted_command(self: Any, kind: int, sql: Any) -> Any:
            trips.seen(sql)
            return await command(self, kind, sql)

        monkeypatch.setattr(MyConnection, "_execute_command", counted_command)
    return trips


# --- live notices over WebSocket (graphql-transport-ws) --------------------------------

NOTICE_SUBSCRIPTION = "subscription { notices { id kind counterpart amount remaining } }"


@asynccontextmanager
async def notice_stream(url: str, token: str | None) -> AsyncIterator[Any]:
    """A `notices` subscription over graphql-transport-ws; yields the connection after the
    server acknowledged it (or after it refused: read `close_code`)."""
    import json

    from websockets.asyncio.client import connect
    from websockets.typing import Subprotocol

    protocol = [Subprotocol("graphql-transport-ws")]
    async with connect(url, subprotocols=protocol, proxy=None) as ws:
        params = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": params}))
        try:
            ack = json.loads(await ws.recv())
        except Exception:  # refused: the server closed the socket
            yield ws
            return
        assert ack["type"] == "connection_ack", ack
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": NOTICE_SUBSCRIPTION}})
        )
        yield ws


async def next_notice(ws: Any, within: float = 10.0) -> dict[str, Any]:
    import asyncio
    import json

    async with asyncio.timeout(within):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "next":
                notice: dict[str, Any] = message["payload"]["data"]["notices"]
                return notice
            assert message["type"] in ("ping", "pong"), message


def policies_where(region: str, **values: Any) -> PolicyBook:
    """The packaged region policy, with these keys changed for one region (e.g. Henan's
    relationship_scope="core")."""
    import tomllib
    from importlib import resources

    data = tomllib.loads(resources.files("gongji.regions").joinpath("policies.toml").read_text())
    data["regions"].setdefault(region, {}).update(values)
    return PolicyBook(data)
