"""授权记录 (R26, Fuxin: 查看授权记录): every event of one authorization, newest first.

Read from what each event wrote in its own transaction: the audit entry of a grant, change
or revocation, the usage record of a payment or refund, and the row's own end fields.
"""

from __future__ import annotations

import base64
import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from gongji.audit.models import AuditEntry
from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.pagination import page_size
from gongji.records.models import RecordKind, UsageRecord
from gongji.wallets.models import Authorization, AuthorizationStatus


class EventKind(enum.Enum):
    CREATED = "created"
    QUOTA_CHANGED = "quota_changed"
    REVOKED = "revoked"
    ENDED = "ended"
    USED = "used"
    REFUNDED = "refunded"


class ActorKind(enum.Enum):
    MEMBER = "member"
    AGENT = "agent"  # a service-hall agent, for `member` at the window
    INSTITUTION = "institution"
    SYSTEM = "system"


_AUDITED = {
    "authorization.grant": EventKind.CREATED,
    "authorization.change": EventKind.QUOTA_CHANGED,
    "authorization.revoke": EventKind.REVOKED,
}
# Sources in the order they sort within one instant (newest first: highest first); an end
# is always the last thing that happens to an authorization.
_AUDIT, _USAGE, _ENDED = 0, 1, 2


@dataclass(frozen=True)
class Event:
    kind: EventKind
    at: datetime
    source: int
    key: uuid.UUID  # the row's time-ordered key (audit entry, usage record)
    actor_kind: ActorKind
    member_id: uuid.UUID | None  # the member who acted, or for whom an agent acted
    agent_id: uuid.UUID | None
    institution_id: uuid.UUID | None
    quota: int | None  # the quota after a grant or change
    amount: int | None  # spent by a use, returned by a refund

    @property
    def cursor(self) -> str:
        raw = f"{self.at.isoformat()}|{self.source}|{self.key}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


Cursor = tuple[datetime, int, uuid.UUID]


def _decode(after: str) -> Cursor:
    try:
        padded = after + "=" * (-len(after) % 4)
        moment, source, key = base64.urlsafe_b64decode(padded).decode().split("|")
        return datetime.fromisoformat(moment), int(source), uuid.UUID(key)
    except (ValueError, UnicodeDecodeError):
        raise DomainError(
            ErrorCode.INVALID_INPUT, "after", {"reason": bilingual("游标无效", "bad cursor")}
        ) from None


def _older(time_field: str, source: int, cursor: Cursor) -> Q:
    """Rows of `source` that come after the cursor, newest first."""
    at, cursor_source, key = cursor
    before: dict[str, Any] = {f"{time_field}__lt": at}
    same: dict[str, Any] = {time_field: at}
    if source < cursor_source:
        return Q(**before) | Q(**same)
    if source > cursor_source:
        return Q(**before)
    return Q(**before) | Q(**same, id__lt=key)


def _uuid(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


def _from_audit(row: AuditEntry) -> Event:
    agent = row.actor_kind == "agent"
    quota = row.detail.get("quota")
    return Event(
        kind=_AUDITED[row.action],
        at=row.at,
        source=_AUDIT,
        key=row.id,
        actor_kind=ActorKind.AGENT if agent else ActorKind.MEMBER,
        member_id=_uuid(row.on_behalf_of if agent else row.actor_id),
        agent_id=_uuid(row.actor_id) if agent else None,
        institution_id=None,
        quota=int(quota) if quota is not None else None,
        amount=None,
    )


def _from_usage(row: UsageRecord) -> Event:
    used = row.kind is RecordKind.PAYMENT
    return Event(
        kind=EventKind.USED if used else EventKind.REFUNDED,
        at=row.occurred_at,
        source=_USAGE,
        key=row.id,
        actor_kind=ActorKind.MEMBER if used else ActorKind.INSTITUTION,
        member_id=row.patient_id if used else None,
        agent_id=None,
        institution_id=row.institution_id,
        quota=None,
        amount=abs(row.family),
    )


def _ended(authorization: Authorization) -> Event | None:
    if authorization.status is not AuthorizationStatus.ENDED or authorization.ended_at is None:
        return None
    kind, _, ident = authorization.ended_by.partition(":")
    actor = {"member": ActorKind.MEMBER, "agent": ActorKind.AGENT}.get(kind, ActorKind.SYSTEM)
    return Event(
        kind=EventKind.ENDED,
        at=authorization.ended_at,
        source=_ENDED,
        key=uuid.UUID(int=0),
        actor_kind=actor,
        member_id=_uuid(ident) if actor is ActorKind.MEMBER else None,
        agent_id=_uuid(ident) if actor is ActorKind.AGENT else None,
        institution_id=None,
        quota=None,
        amount=None,
    )


def _audits(authorization: Authorization) -> Any:
    return AuditEntry.filter(subject_id=str(authorization.id), action__in=list(_AUDITED))


def _uses(authorization: Authorization) -> Any:
    return UsageRecord.filter(
        authorization_id=authorization.id, kind__in=[RecordKind.PAYMENT, RecordKind.REFUND]
    )


async def page(
    authorization: Authorization, first: int | None, after: str | None
) -> tuple[list[Event], bool]:
    """One page of events, newest first: two queries of at most a page each, merged."""
    size = page_size(first)
    cursor = _decode(after) if after else None
    audits, uses = _audits(authorization), _uses(authorization)
    if cursor is not None:
        audits = audits.filter(_older("at", _AUDIT, cursor))
        uses = uses.filter(_older("occurred_at", _USAGE, cursor))
    events = [_from_audit(r) for r in await audits.order_by("-at", "-id").limit(size + 1)]
    events += [_from_usage(r) for r in await uses.order_by("-occurred_at", "-id").limit(size + 1)]
    ended = _ended(authorization)
    if ended is not None and (cursor is None or (ended.at, ended.source, ended.key) < cursor):
        events.append(ended)
    events.sort(key=lambda e: (e.at, e.source, e.key), reverse=True)
    return events[:size], len(events) > size


async def count(authorization: Authorization) -> int:
    audited: int = await _audits(authorization).count()
    used: int = await _uses(authorization).count()
    return audited + used + (1 if _ended(authorization) else 0)
