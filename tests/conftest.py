"""Test fixtures. The schema comes from the real migrations, never from generate_schemas.

SQLite by default. Set GONGJI_TEST_DATABASE_URL (postgres://… or mysql://…) to run the same
suite there; that database is wiped. If it is set and unreachable the run fails, never skips.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from tortoise.contrib.test import truncate_all_models

from gongji import db, demo
from gongji.api.context import Services
from gongji.app import GongjiGraphQL, create_app
from gongji.clock import FixedClock
from gongji.identity.face import MockFaceProvider
from gongji.identity.wechat import MockCodeToSession
from gongji.regions.policy import PolicyBook
from gongji.settings import Settings
from tests.differential import MISMATCHES, DifferentialExecution

TEST_DATABASE_URL = os.environ.get("GONGJI_TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith(("postgres://", "postgresql://"))
ON_MYSQL = TEST_DATABASE_URL.startswith("mysql://")
# 2026-03-10 10:00 in China: inside transfer hours, after Gansu went nationwide.
START = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES or ON_MYSQL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL or MySQL: run make test-pg")
    for item in items:
        if "concurrent" in item.keywords:
            item.add_marker(skip)


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
        finally:
            await conn.close()
    elif ON_MYSQL:
        import asyncmy

        name = url.rsplit("/", 1)[1].split("?")[0]
        try:
            conn = await asyncmy.connect(host="127.0.0.1", user="root", password="")
        except OSError as error:
            pytest.exit(f"MySQL at {url} is unreachable: {error}", returncode=3)
        async with conn.cursor() as cursor:
            await cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            await cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        conn.close()


@pytest.fixture(scope="session")
async def database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    url = TEST_DATABASE_URL or f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    await _reset(url)
    await db.migrate(url)
    await db.connect(url)
    yield url
    await db.disconnect()


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


@pytest.fixture
def face() -> MockFaceProvider:
    return MockFaceProvider(auto_pass=False)


@pytest.fixture
def services(clock: FixedClock, policies: PolicyBook, face: MockFaceProvider) -> Services:
    return Services(
        settings=Settings(), policies=policies, wechat=MockCodeToSession(), face=face, clock=clock
    )


@pytest.fixture
async def demo_data(clean_db: str, clock: FixedClock, policies: PolicyBook) -> None:
    await demo.load(clock.now(), policies)


@dataclass
class Api:
    """A GraphQL client over ASGI, as a mini-program or partner would call the server."""

    http: httpx.AsyncClient
    face: MockFaceProvider

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
        data = await self.data(
            "mutation($c:String!){login(code:$c){token errors{code}}}", {"c": code}
        )
        token: str = data["login"]["token"]
        return token

    async def face_verify(self, token: str, name: str, id_number: str, *, passed: bool) -> str:
        data = await self.data(
            "mutation($n:String!,$i:String!){startFaceVerification(name:$n,idNumber:$i)"
            "{verifyId errors{code}}}",
            {"n": name, "i": id_number},
            token=token,
        )
        verify_id: str = data["startFaceVerification"]["verifyId"]
        assert verify_id, data
        response = await self.http.post(
            f"/mock/wechat/face/{verify_id}", params={"result": "pass" if passed else "fail"}
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


@pytest.fixture
async def api(services: Services, face: MockFaceProvider) -> AsyncIterator[Api]:
    app = create_app(services.settings, services=services, manage_database=False)
    differential(app)
    MISMATCHES.clear()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gongji.test") as http:
        yield Api(http, face)
    assert MISMATCHES == [], "the fast path and the reference executor differ:\n" + "\n".join(
        MISMATCHES
    )


def person(name: str) -> demo.DemoPerson:
    return next(p for p in demo.PEOPLE if p.name == name)


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def reconciled(demo_data: None) -> AsyncIterator[None]:
    """After the test: every balance equals its entries, and every quota its account (R22)."""
    from gongji.ledger.service import reconcile
    from gongji.wallets.service import quota_problems

    yield
    report = await reconcile()
    assert report.clean, report.problems
    assert await quota_problems() == []


async def member_id(api: Api, token: str) -> str:
    data = await api.data("{ me { id } }", token=token)
    ident: str = data["me"]["id"]
    return ident
