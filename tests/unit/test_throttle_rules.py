"""Throttling's pure parts: the client's address, the wait, the policy's limits and settings."""

from __future__ import annotations

import dataclasses

import pytest
from limits import parse

from gongji.settings import RateLimits, Settings
from gongji.throttle.policy import POLICY, Operation, Subject
from gongji.throttle.rules import client_address, retry_after, trusted_networks

PROXIES = trusted_networks(["10.0.0.0/8", "192.168.1.5"])


def test_the_peer_is_the_client_unless_it_is_a_trusted_proxy() -> None:
    assert client_address("203.0.113.7", "198.51.100.1", PROXIES) == "203.0.113.7"
    assert client_address("203.0.113.7", None, ()) == "203.0.113.7"


def test_behind_proxies_the_rightmost_untrusted_hop_is_the_client() -> None:
    assert client_address("10.1.2.3", "198.51.100.1", PROXIES) == "198.51.100.1"
    # a client writing its own header cannot pick its address: the proxy appended the real one
    forged = "1.1.1.1, 198.51.100.1, 192.168.1.5"
    assert client_address("10.1.2.3", forged, PROXIES) == "198.51.100.1"
    assert client_address("10.1.2.3", "", PROXIES) == "10.1.2.3"


def test_a_bad_trusted_proxy_entry_fails_at_start() -> None:
    with pytest.raises(ValueError):
        trusted_networks(["not-an-address"])


def test_retry_after_is_whole_seconds_and_at_least_one() -> None:
    assert retry_after(100.2, 40.0) == 61
    assert retry_after(100.0, 100.0) == 1


def test_every_operation_has_rules_and_every_limit_exists_and_parses() -> None:
    assert set(POLICY) == set(Operation)
    names = {f.name for f in dataclasses.fields(RateLimits)}
    used = {rule.limit for rules in POLICY.values() for rule in rules}
    assert used == names
    for name in names:
        parse(getattr(RateLimits(), name))


def test_agent_login_counts_username_address_and_failures() -> None:
    rules = POLICY[Operation.AGENT_LOGIN]
    assert {r.subject for r in rules} == {Subject.USERNAME, Subject.CLIENT_IP}
    assert [r.limit for r in rules if r.failure is not None] == ["agent_lockout"]


def test_limits_and_proxies_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "GONGJI_LIMIT_LOGIN_PER_IP": "5/minute",
            "REDIS_URL": "redis://127.0.0.1:6379/1",
            "GONGJI_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2",
        }
    )
    assert settings.rate_limits.login_per_ip == "5/minute"
    assert settings.rate_limits.agent_lockout == RateLimits().agent_lockout
    assert settings.redis_url == "redis://127.0.0.1:6379/1"
    assert settings.trusted_proxies == ("10.0.0.1", "10.0.0.2")
