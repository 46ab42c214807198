"""Which database errors make the unit of work run again, and how long it waits."""

from __future__ import annotations

import asyncmy.errors
import asyncpg
import pytest
from tortoise.exceptions import IntegrityError, OperationalError

from gongji.transactions import RetryPolicy, is_retryable


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.SerializationError("could not serialize access"),
        asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
        OperationalError(asyncmy.errors.OperationalError(1213, "Deadlock found")),
        OperationalError(asyncmy.errors.OperationalError(1205, "Lock wait timeout exceeded")),
    ],
    ids=["pg-40001", "pg-40P01", "mysql-1213", "mysql-1205"],
)
def test_serialization_failures_and_deadlocks_are_retried(error: Exception) -> None:
    assert is_retryable(error)


def test_a_retryable_error_is_found_behind_another() -> None:
    try:
        try:
            raise asyncpg.exceptions.SerializationError("could not serialize access")
        except Exception as inner:
            raise RuntimeError("commit failed") from inner
    except RuntimeError as outer:
        assert is_retryable(outer)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        IntegrityError(asyncmy.errors.IntegrityError(1062, "Duplicate entry")),
        OperationalError(asyncmy.errors.OperationalError(1146, "Table doesn't exist")),
        ValueError(1213),  # the number alone, outside the MySQL driver's errors
        RuntimeError("boom"),
    ],
    ids=["pg-unique", "mysql-duplicate", "mysql-no-table", "value-error", "bug"],
)
def test_other_errors_are_not_retried(error: Exception) -> None:
    assert not is_retryable(error)


def test_backoff_is_capped_and_jittered() -> None:
    policy = RetryPolicy(attempts=6, base_seconds=0.01, cap_seconds=0.05)
    assert policy.delay(1, lambda: 0.0) == pytest.approx(0.005)
    assert policy.delay(1, lambda: 1.0) == pytest.approx(0.01)
    assert policy.delay(3, lambda: 1.0) == pytest.approx(0.04)
    assert policy.delay(10, lambda: 1.0) == pytest.approx(0.05)
