"""Throttling inside GraphQL, over HTTP: each operation, its subject, its limit (issue #9)."""

from __future__ import annotations

import os
import random
from typing import Any

import pytest
import redis
import redis.asyncio

from gongji.audit.models import AuditEntry
from gongji.demo import AGENT_PASSWORD, AGENT_USERNAME, demo_api_key
from gongji.identity.models import AccessToken, FaceVerification, TokenKind
from gongji.settings import RateLimits
from tests.conftest import Api, ApiWith, person

pytestmark = pytest.mark.usefixtures("demo_data")

AGENT_LOGIN = (
    "mutation($u:String!,$p:String!){agentLogin(username:$u,password:$p)"
    "{token errors{code retryAfterSeconds}}}"
)


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


def aliased(field: str, times: int) -> str:
    """One request with `times` aliased calls of the same mutation field."""
    calls = " ".join(
        f"c{n}: {field} {{ errors {{ code retryAfterSeconds message }} }}" for n in range(times)
    )
    return f"mutation {{ {calls} }}"


def refusals(data: dict[str, Any]) -> list[bool]:
    """Per alias, in order: was it refused with RATE_LIMITED?"""
    return [codes(data[f"c{n}"]) == ["RATE_LIMITED"] for n in range(len(data))]


async def agent_login(api: Api, password: str, username: str = AGENT_USERNAME) -> dict[str, Any]:
    payload: dict[str, Any] = (await api.data(AGENT_LOGIN, {"u": username, "p": password}))[
        "agentLogin"
    ]
    return payload


async def test_aliased_logins_count_one_each_and_no_token_is_made_past_the_limit(
    api_with: ApiWith,
) -> None:
    api = await api_with(rate_limits=RateLimits(login_per_ip="3/minute"))
    query = (
        "mutation { "
        + " ".join(
            f'c{n}: login(code:"demo-zhangwei"){{ token errors {{ code retryAfterSeconds }} }}'
            for n in range(5)
        )
        + " }"
    )
    data = await api.data(query)
    assert [data[f"c{n}"]["token"] is not None for n in range(5)] == [True] * 3 + [False] * 2
    refused = data["c4"]["errors"][0]
    assert refused["code"] == "RATE_LIMITED" and 55 <= refused["retryAfterSeconds"] <= 60
    assert await AccessToken.filter(kind=TokenKind.MEMBER).count() == 3


async def test_rate_limited_message_says_when_to_retry(api_with: ApiWith) -> None:
    api = await api_with(rate_limits=RateLimits(login_per_ip="1/minute"))
    await api.login("demo-zhangwei")
    body = await api.data(
        'mutation{login(code:"demo-lina"){errors{code message retryAfterSeconds}}}',
        language="en",
    )
    error = body["login"]["errors"][0]
    assert error["code"] == "RATE_LIMITED" and error["retryAfterSeconds"] > 0
    assert (
        error["message"] == f"Too many attempts; try again in {error['retryAfterSeconds']} seconds"
    )
    # refused before the code is even looked at
    other = await api.data('mutation{login(code:"nonsense"){errors{code}}}')
    assert codes(other["login"]) == ["RATE_LIMITED"]


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(api_with: ApiWith) -> None:
    login = 'mutation{login(code:"demo-zhangwei"){token errors{code}}}'

    async def login_from(api: Api, forwarded: str) -> list[str]:
        response = await api.http.post(
            "/graphql", json={"query": login}, headers={"X-Forwarded-For": forwarded}
        )
        return codes(response.json()["data"]["login"])

    limits = RateLimits(login_per_ip="1/minute")
    direct = await api_with(rate_limits=limits)  # the header is the client's own word here
    assert await login_from(direct, "10.0.0.1") == []
    assert await login_from(direct, "10.0.0.2") == ["RATE_LIMITED"]

    proxied = await api_with(rate_limits=limits, trusted_proxies=("127.0.0.1",))
    assert await login_from(proxied, "10.0.0.1") == []
    assert await login_from(proxied, "10.0.0.2") == []
    # what the client wrote left of the proxy's own entry is not believed
    assert await login_from(proxied, "10.0.0.3, 10.0.0.1") == ["RATE_LIMITED"]


async def test_agent_login_is_limited_per_username(api_with: ApiWith) -> None:
    api = await api_with(rate_limits=RateLimits(agent_login_per_username="2/minute"))
    assert codes(await agent_login(api, "wrong-1")) == ["AGENT_CREDENTIALS_INVALID"]
    assert codes(await agent_login(api, "wrong-2")) == ["AGENT_CREDENTIALS_INVALID"]
    refused = await agent_login(api, AGENT_PASSWORD)
    assert refused["token"] is None and codes(refused) == ["RATE_LIMITED"]
    # the limit is the username's, known or not, whatever its case
    assert codes(await agent_login(api, "x", username="nobody")) == ["AGENT_CREDENTIALS_INVALID"]
    assert codes(await agent_login(api, "x", username=AGENT_USERNAME.upper())) == ["RATE_LIMITED"]


async def test_agent_login_is_limited_per_address(api_with: ApiWith) -> None:
    api = await api_with(rate_limits=RateLimits(agent_login_per_ip="2/minute"))
    for username in ("guess-1", "guess-2"):
        assert codes(await agent_login(api, "x", username)) == ["AGENT_CREDENTIALS_INVALID"]
    assert codes(await agent_login(api, AGENT_PASSWORD)) == ["RATE_LIMITED"]


async def test_agent_lockout_survives_the_right_password(api_with: ApiWith) -> None:
    api = await api_with(rate_limits=RateLimits(agent_lockout="3/15 minutes"))
    for guess in ("wrong-1", "wrong-2"):
        assert codes(await agent_login(api, guess)) == ["AGENT_CREDENTIALS_INVALID"]
    # a success in between does not forgive the failures before it
    assert (await agent_login(api, AGENT_PASSWORD))["token"] is not None
    assert codes(await agent_login(api, "wrong-3")) == ["AGENT_CREDENTIALS_INVALID"]
    locked = await agent_login(api, AGENT_PASSWORD)
    assert locked["token"] is None and codes(locked) == ["RATE_LIMITED"]
    assert 14 * 60 < locked["errors"][0]["retryAfterSeconds"] <= 15 * 60
    assert await AccessToken.filter(kind=TokenKind.AGENT).count() == 1
    assert await AuditEntry.filter(action="agent.login").count() == 1


async def test_face_verification_is_limited_per_user(api_with: ApiWith) -> None:
    api = await api_with(rate_limits=RateLimits(face_verification_per_user="2/day"))
    zhao = person("赵敏")
    token = await api.login("demo-zhaomin")
    field = f'startFaceVerification(name:"{zhao.name}", idNumber:"{zhao.id_number}")'
    data = await api.data(aliased(field, 3), token=token)
    assert refusals(data) == [False, False, True]
    assert 23 * 3600 < data["c2"]["errors"][0]["retryAfterSeconds"] <= 24 * 3600
    assert await FaceVerification.all().count() == 2
    other = await api.login("mock-someone-else")
    assert refusals(await api.data(aliased(field, 1), token=other)) == [False]


async def test_invitations_are_limited_per_inviter(api_with: ApiWith) -> None:
    api = await api_with(rate_limits=RateLimits(invitation_per_inviter="1/day"))
    token = await api.login("demo-zhangwei")
    group = (await api.data("{ myFamilyGroups { id } }", token=token))["myFamilyGroups"][0]["id"]
    li = person("李娜")
    field = (
        f'inviteFamilyMember(input:{{groupId:"{group}", name:"{li.name}", '
        f'idNumber:"{li.id_number}", relationship:SPOUSE}})'
    )
    data = await api.data(aliased(field, 2), token=token)
    assert codes(data["c0"]) == []
    assert refusals(data) == [False, True]


MEMBER_MONEY = [
    'transferToWallet(amount:"1.00", idempotencyKey:"throttle-1")',
    'authorizeFamilyMember(relativeId:"no-such-id", quota:"1.00")',
    'changeAuthorization(authorizationId:"no-such-id", quota:"1.00")',
    'revokeAuthorization(authorizationId:"no-such-id")',
    'pay(billId:"no-such-id", authorizationId:"no-such-id", idempotencyKey:"throttle-1")',
    'payResidentPremium(relativeId:"no-such-id", year:2026, amount:"1.00", '
    'idempotencyKey:"throttle-1")',
]


@pytest.mark.parametrize("field", MEMBER_MONEY, ids=lambda f: f.split("(")[0])
async def test_money_mutations_are_limited_per_member(api_with: ApiWith, field: str) -> None:
    api = await api_with(rate_limits=RateLimits(money_per_member="2/minute"))
    zhang = await api.login("demo-zhangwei")
    assert refusals(await api.data(aliased(field, 3), token=zhang)) == [False, False, True]
    lina = await api.login("demo-lina")  # another member has her own count
    assert refusals(await api.data(aliased(field, 1), token=lina)) == [False]


INSTITUTION_MONEY = [
    'createBill(input:{externalRef:"T-1", patientName:"王秀英", patientIdNumber:"bad", '
    'visitType:OUTPATIENT, items:[{name:"x", category:DRUG, amount:"1.00"}], '
    'medfeeSumamt:"1.00", hifpPay:"0", fulamtOwnpayAmt:"0"})',
    'refundPayment(paymentId:"no-such-id", amount:"1.00", reason:"退药", '
    'idempotencyKey:"throttle-1")',
]


@pytest.mark.parametrize("field", INSTITUTION_MONEY, ids=lambda f: f.split("(")[0])
async def test_institution_money_calls_are_limited_per_institution(
    api_with: ApiWith, field: str
) -> None:
    api = await api_with(rate_limits=RateLimits(money_per_institution="2/minute"))
    hospital = demo_api_key("H41010500002")
    assert refusals(await api.data(aliased(field, 3), token=hospital)) == [False, False, True]
    pharmacy = demo_api_key("P62010200003")
    assert refusals(await api.data(aliased(field, 1), token=pharmacy)) == [False]


async def test_default_limits_leave_ordinary_use_alone(api: Api) -> None:
    token = await api.login("demo-zhangwei")
    data = await api.data(aliased('revokeAuthorization(authorizationId:"x")', 10), token=token)
    assert refusals(data) == [False] * 10


REDIS_URL = os.environ.get("GONGJI_TEST_REDIS_URL", "")


async def test_two_workers_sharing_redis_share_one_limit(api_with: ApiWith) -> None:
    url = REDIS_URL or "redis://127.0.0.1:6379/1"
    probe = redis.asyncio.Redis.from_url(url)
    try:
        await probe.ping()
    except redis.ConnectionError as error:
        if REDIS_URL:
            raise
        pytest.skip(f"no Redis at {url} ({error}); set GONGJI_TEST_REDIS_URL to require it")
    finally:
        await probe.aclose()
    limits = RateLimits(login_per_ip="2/minute")
    first = await api_with(rate_limits=limits, redis_url=url, trusted_proxies=("127.0.0.1",))
    second = await api_with(rate_limits=limits, redis_url=url, trusted_proxies=("127.0.0.1",))
    # a fresh address each run: counters in Redis outlive the test by a minute
    client = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"

    async def login(api: Api) -> list[str]:
        response = await api.http.post(
            "/graphql",
            json={"query": 'mutation{login(code:"demo-lina"){errors{code}}}'},
            headers={"X-Forwarded-For": client},
        )
        return codes(response.json()["data"]["login"])

    assert await login(first) == []
    assert await login(second) == []
    assert await login(first) == ["RATE_LIMITED"]
    assert await login(second) == ["RATE_LIMITED"]
    # memory storage, by contrast, counts per process
    alone = await api_with(rate_limits=limits, trusted_proxies=("127.0.0.1",))
    assert await login(alone) == []
