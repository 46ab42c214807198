"""Record audited acts, inside the use case's transaction so record and act land together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gongji import sql
from gongji.audit.models import AuditEntry


async def record(
    *,
    at: datetime,
    actor_kind: str,
    actor_id: object,
    action: str,
    subject_id: object = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    await AuditEntry.create(
        at=at,
        actor_kind=actor_kind,
        actor_id=str(actor_id),
        action=action,
        subject_id=str(subject_id),
        reason=reason,
        detail=detail or {},
    )


def record_in(
    writes: sql.Writes,
    *,
    at: datetime,
    actor_kind: str,
    actor_id: object,
    action: str,
    subject_id: object = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """`record`, written with the use case's other writes (`gongji.sql.Writes`)."""
    key = sql.new_key(AuditEntry)
    writes.insert(
        AuditEntry,
        [
            {
                **({"id": key} if key is not None else {}),
                "at": at,
                "actor_kind": actor_kind,
                "actor_id": str(actor_id),
                "action": action,
                "subject_id": str(subject_id),
                "reason": reason,
                "detail": detail or {},
            }
        ],
    )
