"""Record audited acts, inside the use case's transaction so record and act land together."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from gongji import sql
from gongji.audit.models import AuditEntry
from gongji.identity.principals import ActingAgent


async def record(
    *,
    at: datetime,
    actor_kind: str,
    actor_id: object,
    action: str,
    subject_id: object = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
    on_behalf_of: object | None = None,
) -> None:
    await AuditEntry.create(
        at=at,
        actor_kind=actor_kind,
        actor_id=str(actor_id),
        action=action,
        subject_id=str(subject_id),
        reason=reason,
        detail=detail or {},
        on_behalf_of=None if on_behalf_of is None else str(on_behalf_of),
    )


async def member_act(
    *,
    at: datetime,
    member_id: uuid.UUID,
    acting: ActingAgent | None,
    action: str,
    subject_id: object = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """A member's act, done by the member or by an agent for them at the window: then both
    are recorded, with the agent's reason and the in-person verification it rests on."""
    if acting is None:
        await record(
            at=at,
            actor_kind="member",
            actor_id=member_id,
            action=action,
            subject_id=subject_id,
            detail=detail,
        )
        return
    await record(
        at=at,
        actor_kind="agent",
        actor_id=acting.agent_id,
        action=action,
        subject_id=subject_id,
        reason=acting.reason,
        detail={**(detail or {}), "verification": str(acting.verification_id)},
        on_behalf_of=member_id,
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
