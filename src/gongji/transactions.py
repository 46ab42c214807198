"""The unit of work: one transaction, retried whole when the database asks for it.

PostgreSQL at SERIALIZABLE, and the distributed engines that default to it (CockroachDB,
YugabyteDB), abort a transaction that conflicts with another one (SQLSTATE 40001); any
engine may pick a deadlock victim (PostgreSQL 40P01, MySQL 1213) or time a lock wait out
(MySQL 1205). Each of these rolled the whole transaction back, so running it again from
the start is safe: nothing of the first attempt was kept, idempotency records included.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from asyncmy.errors import MySQLError
from tortoise.transactions import in_transaction

T = TypeVar("T")

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
RETRYABLE_MYSQL_ERRORS = frozenset({1213, 1205})  # deadlock, lock wait timeout

log = logging.getLogger("gongji.transactions")


def is_retryable(error: BaseException) -> bool:
    """Whether the database rolled the transaction back and asks for it to be run again.

    Tortoise passes asyncpg's errors through (they carry `sqlstate`) and wraps MySQL's in
    its own OperationalError (the driver's error, whose first argument is the error
    number, is the wrapper's first argument); look through both and through the chain.
    """
    pending: list[BaseException] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if getattr(current, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return True
        first = current.args[0] if current.args else None
        if isinstance(current, MySQLError) and first in RETRYABLE_MYSQL_ERRORS:
            return True
        linked = (first, current.__cause__, current.__context__)
        pending += [e for e in linked if isinstance(e, BaseException)]
    return False


@dataclass(frozen=True)
class RetryPolicy:
    """Capped, jittered exponential backoff: attempt n waits up to min(cap, base·2ⁿ⁻¹)."""

    attempts: int = 6
    base_seconds: float = 0.005
    cap_seconds: float = 0.2

    def delay(self, attempt: int, draw: Callable[[], float] = random.random) -> float:
        ceiling = min(self.cap_seconds, self.base_seconds * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + draw() / 2)


DEFAULT_POLICY = RetryPolicy()


async def atomic(work: Callable[[], Awaitable[T]], policy: RetryPolicy = DEFAULT_POLICY) -> T:
    """Run `work` in one transaction; run it again from the start if the database asks."""
    for attempt in range(1, policy.attempts + 1):
        try:
            async with in_transaction():
                return await work()
        except Exception as error:
            if attempt == policy.attempts or not is_retryable(error):
                raise
            log.info("transaction retried", extra={"attempt": attempt})
            await asyncio.sleep(policy.delay(attempt))
    raise AssertionError("unreachable: the last attempt returns or raises")
