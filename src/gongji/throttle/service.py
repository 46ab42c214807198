"""Counting calls against the policy, in memory or in Redis shared by every worker."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import redis.asyncio
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from gongji import metrics
from gongji.errors import DomainError, ErrorCode
from gongji.settings import RateLimits, Settings
from gongji.throttle.policy import POLICY, Operation, Rule, Subject
from gongji.throttle.rules import retry_after

KEY_PREFIX = "gongji"


def storage_for(redis_url: str) -> Storage:
    """REDIS_URL (redis://, rediss:// or async+redis://) shares counters; none: this process."""
    if not redis_url:
        return MemoryStorage()
    url = redis_url if redis_url.startswith("async+") else "async+" + redis_url
    return RedisStorage(url, implementation="redispy", key_prefix=KEY_PREFIX)


class Throttle:
    """Admits or refuses one call of an operation for its subjects (POLICY)."""

    def __init__(self, limits: RateLimits, storage: Storage) -> None:
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)
        # Parsed once, so that a misnamed or malformed limit fails at start-up.
        self._items: dict[str, RateLimitItem] = {
            rule.limit: parse(getattr(limits, rule.limit))
            for rules in POLICY.values()
            for rule in rules
        }

    @classmethod
    def from_settings(cls, settings: Settings) -> Throttle:
        return cls(settings.rate_limits, storage_for(settings.redis_url))

    async def close(self) -> None:
        """Close Redis connections (limits has no close of its own); memory needs nothing."""
        if isinstance(self._storage, RedisStorage):
            client = getattr(self._storage.bridge, "storage", None)
            if isinstance(client, redis.asyncio.Redis):
                await client.aclose()

    async def readiness(self) -> str | None:
        """For /readyz: None when the counters' store answers (memory always does)."""
        if not isinstance(self._storage, RedisStorage):
            return None
        try:
            return None if await self._storage.check() else "redis: no answer"
        except Exception as error:  # any failure means "not ready", whatever the client raised
            return f"redis: {type(error).__name__}"

    @asynccontextmanager
    async def guard(
        self, operation: Operation, subjects: Mapping[Subject, str | None]
    ) -> AsyncIterator[None]:
        """Refuse with RATE_LIMITED before the call; count the call's failures after it."""
        counted = [
            (rule, _identity(operation, rule, value))
            for rule in POLICY.get(operation, ())
            if (value := subjects.get(rule.subject))
        ]
        for rule, identity in counted:
            await self._admit(rule, identity)
        try:
            yield
        except DomainError as error:
            for rule, identity in counted:
                if rule.failure is error.code:
                    await self._limiter.hit(self._items[rule.limit], *identity)
            raise

    async def _admit(self, rule: Rule, identity: tuple[str, ...]) -> None:
        item = self._items[rule.limit]
        if rule.failure is not None:
            admitted = await self._limiter.test(item, *identity)
        else:
            admitted = await self._limiter.hit(item, *identity)
        if not admitted:
            stats = await self._limiter.get_window_stats(item, *identity)
            seconds = retry_after(stats.reset_time, time.time())
            metrics.observe_throttled(identity[0])
            raise DomainError(ErrorCode.RATE_LIMITED, None, {"seconds": seconds})


def _identity(operation: Operation, rule: Rule, value: str) -> tuple[str, ...]:
    """The counter's key. Subjects are hashed: no address or username is stored in clear."""
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return (operation.value, rule.limit, rule.subject.value, digest)
