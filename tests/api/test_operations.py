"""What an operator's probes and scraper see: /healthz, /readyz, /metrics."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY
from tortoise import Tortoise

from gongji import metrics
from gongji.demo import demo_api_key
from gongji.settings import RateLimits
from tests.conftest import Api, ApiWith, bill_input, create_bill

pytestmark = pytest.mark.usefixtures("demo_data")


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_healthz_answers_without_a_token(api: Api) -> None:
    response = await api.http.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")


async def test_readyz_is_ready_when_every_migration_is_applied(api: Api) -> None:
    response = await api.http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"ready": True, "problems": []}


async def test_readyz_says_which_migration_is_missing(api: Api) -> None:
    connection = Tortoise.get_connection("default")
    _, rows = await connection.execute_query(
        "SELECT name, applied_at FROM tortoise_migrations WHERE name = '0001_initial'"
    )
    await connection.execute_query("DELETE FROM tortoise_migrations WHERE name = '0001_initial'")
    try:
        response = await api.http.get("/readyz")
    finally:
        await connection.execute_query(
            "INSERT INTO tortoise_migrations (app, name, applied_at) VALUES ('gongji', "
            f"'0001_initial', '{rows[0]['applied_at']}')"
        )
    assert response.status_code == 503
    assert response.json()["problems"] == ["migrations not applied: 0001_initial"]


async def test_metrics_count_operations_and_error_codes_not_probes(api: Api) -> None:
    ok = dict(route="/graphql", operation="Login", outcome="ok")
    refused = dict(route="/graphql", operation="Login", outcome="user_error")
    before = (
        sample("gongji_requests_total", **ok),
        sample("gongji_requests_total", **refused),
        sample("gongji_user_errors_total", code="LOGIN_CODE_INVALID"),
    )
    login = "mutation Login($c:String!){ login(code:$c){ token errors { code } } }"
    await api.data(login, {"c": "demo-zhangwei"})
    await api.data(login, {"c": "not-a-code"})
    await api.http.get("/healthz")
    scrape = await api.http.get("/metrics")
    after = (
        sample("gongji_requests_total", **ok),
        sample("gongji_requests_total", **refused),
        sample("gongji_user_errors_total", code="LOGIN_CODE_INVALID"),
    )
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1]
    assert scrape.headers["content-type"].startswith("text/plain")
    assert 'gongji_requests_total{operation="Login",outcome="ok",route="/graphql"}' in scrape.text
    assert "/healthz" not in scrape.text and "/metrics" not in scrape.text
    assert "demo-zhangwei" not in scrape.text


def test_operation_names_cannot_grow_the_series_without_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(metrics, "_known", set())
    assert metrics.operation_label(None) == "anonymous"
    assert metrics.operation_label("query { me { name } }") == "other"
    names = {metrics.operation_label(f"Op{i}") for i in range(metrics.MAX_OPERATION_NAMES + 50)}
    assert "other" in names
    assert len(names) <= metrics.MAX_OPERATION_NAMES + 1


async def test_a_payment_is_metered_once_and_its_replay_not_at_all(
    api: Api, family: dict[str, str]
) -> None:
    hospital = demo_api_key("H41010500002")
    bill = await create_bill(api, hospital, bill_input("OPS-1", ("药", "DRUG", "86.00")))
    before = (
        sample("gongji_money_moves_total", kind="pay"),
        sample("gongji_money_moved_fen_total", kind="pay"),
    )
    pay = """mutation($b:ID!,$a:ID!){ pay(billId:$b, authorizationId:$a, idempotencyKey:"ops-pay-1")
      { replayed errors { code } } }"""
    for _ in range(2):
        await api.data(pay, {"b": bill, "a": family["auth"]}, token=family["mother"])
    after = (
        sample("gongji_money_moves_total", kind="pay"),
        sample("gongji_money_moved_fen_total", kind="pay"),
    )
    assert (after[0] - before[0], after[1] - before[1]) == (1, 8600)


async def test_readyz_reports_an_unreachable_redis(api_with: ApiWith) -> None:
    api = await api_with(redis_url="redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = await api.http.get("/readyz")
    assert response.status_code == 503
    [problem] = response.json()["problems"]
    assert problem.startswith("redis: ")


async def test_a_throttled_call_is_counted(api_with: ApiWith) -> None:
    api = await api_with(rate_limits=RateLimits(login_per_ip="1/minute"))
    before = sample("gongji_throttled_total", operation="login")
    for _ in range(3):
        await api.data('mutation{ login(code:"demo-lina"){ errors { code } } }')
    assert sample("gongji_throttled_total", operation="login") - before == 2


async def test_a_refusal_at_the_edge_is_counted_like_any_other(api: Api) -> None:
    before = sample("gongji_user_errors_total", code="INVALID_INPUT")
    token = await api.login("demo-zhangwei")
    body = await api.data(
        'mutation Transfer { transferToWallet(amount: "1e9", idempotencyKey: "edge-count-1")'
        " { errors { code } } }",
        token=token,
    )
    assert body["transferToWallet"]["errors"] == [{"code": "INVALID_INPUT"}]
    assert sample("gongji_user_errors_total", code="INVALID_INPUT") - before == 1
