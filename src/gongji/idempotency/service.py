"""Run a money-moving use case at most once per idempotency key (R22).

The record is inserted first, inside the use case's transaction. A concurrent retry with
the same key blocks on the unique index until the first commits, then fails to insert and
replays the stored result; if the first rolled back, nothing was stored and the retry
does the work itself. Rejections are not stored: a retry of a refused request is evaluated
again (and moves money only if it is now allowed).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from gongji import sql
from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.idempotency.models import IdempotencyRecord
from gongji.transactions import atomic

_KEY = re.compile(r"^[A-Za-z0-9_.:\-]{8,80}$")


def request_hash(operation: str, request: dict[str, Any]) -> str:
    canonical = json.dumps([operation, request], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "idempotencyKey",
            {"reason": bilingual("幂等键须为8–80位字母数字", "8–80 letters, digits, _ . : -")},
        )
    return key


def _replay(record: IdempotencyRecord, digest: str) -> str:
    if record.request_hash != digest or record.result_id is None:
        raise DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, "idempotencyKey")
    return record.result_id


async def once(
    *,
    scope: str,
    key: str,
    operation: str,
    request: dict[str, Any],
    work: Callable[[], Awaitable[object]],
    now: datetime,
) -> tuple[str, bool]:
    """Returns (result id, replayed). `work` runs inside the transaction opened here, and
    runs again from the start if the database aborts that transaction."""
    check_key(key)
    digest = request_hash(operation, request)
    existing = await IdempotencyRecord.get_or_none(scope=scope, key=key)
    if existing is not None:
        return _replay(existing, digest), True

    async def record_and_work() -> str:
        await IdempotencyRecord.create(
            scope=scope, key=key, operation=operation, request_hash=digest, created_at=now
        )
        result = str(await work())
        await IdempotencyRecord.filter(scope=scope, key=key).update(result_id=result)
        return result

    try:
        # Retried whole on a serialization failure or deadlock: the record rolled back too.
        result = await atomic(record_and_work)
    except IntegrityError:
        existing = await IdempotencyRecord.get_or_none(scope=scope, key=key)
        if existing is None:
            raise
        return _replay(existing, digest), True
    return result, False


async def once_in_batch(
    *,
    scope: str,
    key: str,
    operation: str,
    request: dict[str, Any],
    work: Callable[[sql.Writes], Awaitable[object]],
    now: datetime,
) -> tuple[str, bool]:
    """`once` for a use case that sends its writes in one batch (`gongji.sql.Writes`),
    at no round trip of its own: the record goes first into the work's batch, with the
    result the work returns (a key it made in Python), and the batch is sent here.

    No read before the work: a replay is found when the work is refused (the bill is paid
    already) or when the record collides on its unique index (a concurrent first request
    committed meanwhile, or the key was used for something else); then the transaction is
    rolled back and the stored result is read. A refusal with no record stays a refusal.
    """
    check_key(key)
    digest = request_hash(operation, request)

    async def record_and_work() -> str:
        writes = sql.Writes()
        result = str(await work(writes))
        row = {
            "scope": scope,
            "key": key,
            "operation": operation,
            "request_hash": digest,
            "result_id": result,
            "created_at": now,
        }
        ident = sql.new_key(IdempotencyRecord)
        writes.insert(
            IdempotencyRecord, [{"id": ident, **row} if ident is not None else row], first=True
        )
        await writes.flush()
        return result

    try:
        # Retried whole on a serialization failure or deadlock: the record rolled back too.
        result = await atomic(record_and_work)
    except (IntegrityError, DomainError):
        existing = await IdempotencyRecord.get_or_none(scope=scope, key=key)
        if existing is None:
            raise
        return _replay(existing, digest), True
    return result, False
