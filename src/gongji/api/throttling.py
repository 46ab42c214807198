"""One call per throttled resolver: `attempt(throttled(info, Operation.X, run), …)`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from gongji.api.context import Info
from gongji.identity.principals import (
    AgentPrincipal,
    InstitutionPrincipal,
    MemberPrincipal,
    Principal,
)
from gongji.throttle.policy import Operation, Subject

T = TypeVar("T")


def throttled(
    info: Info,
    operation: Operation,
    call: Callable[[], Awaitable[T]],
    *,
    username: str | None = None,
) -> Callable[[], Awaitable[T]]:
    """The use case, refused with RATE_LIMITED before any of its work (throttle/policy.py)."""
    context = info.context
    subjects = {
        Subject.CLIENT_IP: context.client_ip,
        Subject.USERNAME: username,
        Subject.CALLER: _caller(context.principal),
    }

    async def guarded() -> T:
        async with context.services.throttle.guard(operation, subjects):
            return await call()

    return guarded


def _caller(who: Principal | None) -> str | None:
    """The member (or, before verification, the WeChat user), institution or agent."""
    if isinstance(who, MemberPrincipal):
        return f"member:{who.member_id or who.wechat_user_id}"
    if isinstance(who, InstitutionPrincipal):
        return f"institution:{who.institution_id}"
    if isinstance(who, AgentPrincipal):
        return f"agent:{who.agent_id}"
    return None
