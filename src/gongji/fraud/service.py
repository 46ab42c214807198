"""R21 use cases: what the rules read inside `pay`, placing a hold, and the agent's decision."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from gongji.audit import service as audit
from gongji.errors import DomainError, ErrorCode
from gongji.fraud.models import AuthorizationHold, HoldStatus
from gongji.fraud.rules import PastPayment
from gongji.identity.principals import AgentPrincipal
from gongji.identity.rules import check_agent_reason, check_agent_scope
from gongji.keys import new_key
from gongji.notices import service as notices
from gongji.notices.rules import NoticeKind
from gongji.payments.models import Payment
from gongji.payments.rules import VisitType
from gongji.regions.code import RegionCode
from gongji.sql import Writes
from gongji.transactions import unit_of_work
from gongji.wallets import service as wallets
from gongji.wallets.models import Authorization, AuthorizationStatus


async def recent_payments(
    authorization_id: uuid.UUID, since: datetime, cleared_at: datetime | None
) -> list[PastPayment]:
    """The one read the rules need inside `pay`: the authorization's payments since `since`
    and after the last release, with each bill's visit type and institution's region (joined,
    one statement)."""
    query = Payment.filter(authorization_id=authorization_id, created_at__gte=since)
    if cleared_at is not None:
        query = query.filter(created_at__gt=cleared_at)
    rows = await query.values("created_at", "bill__visit_type", "institution__region")
    return [
        PastPayment(
            at=row["created_at"],
            pharmacy=VisitType(_plain(row["bill__visit_type"])) is VisitType.PHARMACY,
            city=str(RegionCode(row["institution__region"]).city),
        )
        for row in rows
    ]


def _plain(value: Any) -> str:
    return str(value.value if isinstance(value, VisitType) else value)


def place_hold_in(
    writes: Writes,
    *,
    authorization_id: uuid.UUID,
    payment_id: uuid.UUID,
    fired: list[dict[str, Any]],
    region: str,
    now: datetime,
) -> None:
    """Inside pay's transaction, in its write batch: record the hold and why; the caller sets
    `hold_rule` on the authorization row in the same update as `spent`."""
    hold_id = new_key()
    writes.insert(
        AuthorizationHold,
        [
            {
                "id": hold_id,
                "authorization_id": authorization_id,
                "payment_id": payment_id,
                "rule_id": fired[0]["rule"],
                "fired": fired,
                "region": region,
                "status": HoldStatus.OPEN,
                "placed_at": now,
                "resolved_at": None,
                "resolved_by": "",
                "reason": "",
            }
        ],
    )
    audit.record_in(
        writes,
        at=now,
        actor_kind="system",
        actor_id="fraud",
        action="authorization.hold",
        subject_id=authorization_id,
        detail={"hold": str(hold_id), "payment": str(payment_id), "fired": fired},
    )


async def _open_hold(hold_id: uuid.UUID, agent: AgentPrincipal) -> AuthorizationHold:
    """Lock an open hold the agent may decide: its authorizer is insured in their scope."""
    hold = await AuthorizationHold.filter(id=hold_id).select_for_update().get_or_none()
    if hold is None:
        raise DomainError(ErrorCode.NOT_FOUND, "holdId")
    check_agent_scope(agent.office_region, agent.scope, (hold.region,), field="holdId")
    if hold.status is not HoldStatus.OPEN:
        raise DomainError(ErrorCode.HOLD_NOT_OPEN, "holdId")
    return hold


async def release_hold(
    *, agent: AgentPrincipal, hold_id: uuid.UUID, reason: str, now: datetime
) -> AuthorizationHold:
    """A false positive: payments resume, and the rules forget the history before now."""
    reason = check_agent_reason(reason)
    async for attempt in unit_of_work():
        async with attempt:
            hold = await _open_hold(hold_id, agent)
            await Authorization.filter(id=hold.authorization_id).update(
                hold_rule=None, hold_cleared_at=now, updated_at=now
            )
            await _resolve(hold, HoldStatus.RELEASED, agent, reason, now)
            authorization = await Authorization.get(id=hold.authorization_id).prefetch_related(
                "authorizer", "relative"
            )
            await notices.notify(
                authorization.authorizer.id,
                NoticeKind.HOLD_RELEASED,
                now=now,
                counterpart=authorization.relative.name,
                rule=hold.rule_id,
                authorization_id=str(authorization.id),
            )
    return hold


async def end_held_authorization(
    *, agent: AgentPrincipal, hold_id: uuid.UUID, reason: str, now: datetime
) -> AuthorizationHold:
    """Confirmed abuse (or the family asks): the authorization ends, the unspent quota returns
    to the authorizer's wallet."""
    reason = check_agent_reason(reason)
    async for attempt in unit_of_work():
        async with attempt:
            hold = await _open_hold(hold_id, agent)
            authorization = (
                await Authorization.filter(id=hold.authorization_id).select_for_update().get()
            )
            by = f"agent:{agent.agent_id}"
            if authorization.status is AuthorizationStatus.ACTIVE:
                returned = await wallets.close(authorization, AuthorizationStatus.ENDED, by, now)
                drafts = await wallets.ended_notices(authorization, returned)
                await notices.notify_all(drafts, now=now)
            await _resolve(hold, HoldStatus.ENDED, agent, reason, now)
    return hold


async def _resolve(
    hold: AuthorizationHold,
    status: HoldStatus,
    agent: AgentPrincipal,
    reason: str,
    now: datetime,
) -> None:
    hold.status, hold.resolved_at, hold.reason = status, now, reason
    hold.resolved_by = f"agent:{agent.agent_id}"
    await hold.save(update_fields=["status", "resolved_at", "resolved_by", "reason"])
    await audit.record(
        at=now,
        actor_kind="agent",
        actor_id=agent.agent_id,
        action=f"authorization.hold_{status.value}",
        subject_id=hold.authorization_id,
        reason=reason,
        detail={"hold": str(hold.id), "rule": hold.rule_id},
    )
