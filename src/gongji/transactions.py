"""The unit of work: one transaction, retried whole when the database asks for it.

PostgreSQL at SERIALIZABLE, and the distributed engines that default to it (CockroachDB,
YugabyteDB), abort a transaction that conflicts with another one (SQLSTATE 40001); any
engine may pick a deadlock victim (PostgreSQL 40P01, MySQL 1213) or time a lock wait out
(MySQL 1205). Each of these rolled the whole transaction back, so running it again from
the start is safe: nothing of the first attempt was kept, idempotency records included.

A statement run outside any unit of work (a plain read, a single autocommit update) is its
own transaction, aborted just the same; `RetriedStatements` runs it again at the connection,
so no call site has to remember (the database clients in `gongji.engines` mix it in).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from asyncmy.errors import MySQLError
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.transactions import _get_connection, in_transaction

T = TypeVar("T")

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
RETRYABLE_MYSQL_ERRORS = frozenset({1213, 1205})  # deadlock, lock wait timeout

log = logging.getLogger("gongji.transactions")

AfterCommit = Callable[[], Awaitable[None]]
# The callbacks of the outermost unit of work running in this task; None outside one.
_after_commit: ContextVar[list[AfterCommit] | None] = ContextVar("after_commit", default=None)


async def after_commit(callback: AfterCommit) -> None:
    """Run `callback` once the outermost unit of work has committed (never if it rolls back;
    once, after the attempt that committed, if it was retried). Outside a unit of work the
    change is already committed, so it runs now. A failing callback is logged, not raised:
    what it reports is already in the database."""
    pending = _after_commit.get()
    if pending is None:
        await _run([callback])
    else:
        pending.append(callback)


async def _run(callbacks: list[AfterCommit]) -> None:
    for callback in callbacks:
        try:
            await callback()
        except Exception:
            log.exception("after-commit callback failed")


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


class Attempt:
    """One run of a unit of work's block: its transaction, and whether it must run again."""

    def __init__(self, number: int, policy: RetryPolicy, retries: bool) -> None:
        self.number = number
        self.policy = policy
        self.retries = retries  # False inside another transaction: only the outermost retries
        self.again = False
        self._transaction: Any = None
        self._callbacks: list[AfterCommit] = []
        self._token: Any = None

    async def __aenter__(self) -> None:
        if self.retries:  # the outermost: what runs after commit is collected here
            self._token = _after_commit.set(self._callbacks)
        self._transaction = in_transaction()
        await self._transaction.__aenter__()

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: Any
    ) -> bool:
        failure = error
        try:
            await self._transaction.__aexit__(kind, error, tb)  # commit, or roll back
        except Exception as at_commit:  # SERIALIZABLE engines may refuse the commit itself
            failure = at_commit
        finally:
            if self._token is not None:
                _after_commit.reset(self._token)
        if failure is None:
            await _run(self._callbacks)
            return False
        last = self.number == self.policy.attempts
        if not self.retries or last or not isinstance(failure, Exception):
            if failure is not error:
                raise failure
            return False
        if not is_retryable(failure):
            if failure is not error:
                raise failure
            return False
        log.info("transaction retried", extra={"attempt": self.number})
        await asyncio.sleep(self.policy.delay(self.number))
        self.again = True
        return True  # swallowed: the loop runs the block again, from the start


class UnitOfWork:
    """`async for attempt in unit_of_work(): async with attempt: …` runs the block in one
    transaction, and again from the start when the database aborted it (see module doc).
    The block must not `return`, `break` or `continue` out of itself (see `atomic`)."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.retries = not isinstance(_get_connection(None), TransactionalDBClient)
        self.current: Attempt | None = None

    def __aiter__(self) -> UnitOfWork:
        return self

    async def __anext__(self) -> Attempt:
        if self.current is not None and not self.current.again:
            raise StopAsyncIteration
        number = 1 if self.current is None else self.current.number + 1
        self.current = Attempt(number, self.policy, self.retries)
        return self.current


def unit_of_work(policy: RetryPolicy = DEFAULT_POLICY) -> UnitOfWork:
    return UnitOfWork(policy)


async def atomic(work: Callable[[], Awaitable[T]], policy: RetryPolicy = DEFAULT_POLICY) -> T:
    """Run `work` in one transaction; run it again from the start if the database asks.

    Never `return` from inside `async with attempt:`: a return leaves before the commit, so
    when the commit itself is refused (SERIALIZABLE can refuse it) the caller would get the
    result of a transaction that was rolled back. Keep the result; return it once committed.
    """
    async for attempt in unit_of_work(policy):
        async with attempt:
            result = await work()
        if not attempt.again:
            return result
    raise AssertionError("unreachable: the last attempt returns or raises")


_retrying: ContextVar[bool] = ContextVar("gongji_statement_retrying", default=False)


async def retried_statement(
    statement: Callable[[], Awaitable[T]], policy: RetryPolicy = DEFAULT_POLICY
) -> T:
    """Run one statement that is its own transaction; again when the database aborted it."""
    if _retrying.get():  # a client method that calls another one: the outer call retries
        return await statement()
    token = _retrying.set(True)
    try:
        for attempt in range(1, policy.attempts + 1):
            try:
                return await statement()
            except Exception as error:
                if attempt == policy.attempts or not is_retryable(error):
                    raise
                log.info("statement retried", extra={"attempt": attempt})
                await asyncio.sleep(policy.delay(attempt))
        raise AssertionError("unreachable: the last attempt returns or raises")
    finally:
        _retrying.reset(token)


class RetriedStatements:
    """Mixed into a pooled database client (before it): each statement it runs outside a
    transaction is retried whole. Inside a transaction the client is the driver's own
    transaction wrapper, which does not inherit this: there only the unit of work retries.
    `execute_script` is left alone: on MySQL its statements commit one by one."""

    async def execute_insert(self, query: str, values: list[Any]) -> Any:
        parent = cast(BaseDBAsyncClient, super())  # the client this is mixed into
        return await retried_statement(lambda: parent.execute_insert(query, values))

    async def execute_many(self, query: str, values: list[Any]) -> None:
        parent = cast(BaseDBAsyncClient, super())  # the client this is mixed into
        await retried_statement(lambda: parent.execute_many(query, values))

    async def execute_query(self, query: str, values: list[Any] | None = None) -> Any:
        parent = cast(BaseDBAsyncClient, super())  # the client this is mixed into
        return await retried_statement(lambda: parent.execute_query(query, values))

    async def execute_query_dict(self, query: str, values: list[Any] | None = None) -> Any:
        parent = cast(BaseDBAsyncClient, super())  # the client this is mixed into
        return await retried_statement(lambda: parent.execute_query_dict(query, values))
