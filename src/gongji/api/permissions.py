"""Who may call what. No caller at all is a top-level error; the wrong caller is a payload one."""

from __future__ import annotations

import uuid

from gongji.api.context import Info
from gongji.api.errors import Unauthenticated
from gongji.errors import DomainError, ErrorCode
from gongji.identity.principals import (
    AgentPrincipal,
    InstitutionPrincipal,
    MemberPrincipal,
    Principal,
)


def principal(info: Info) -> Principal:
    """The caller; none is a top-level UNAUTHENTICATED, a bad or expired token TOKEN_INVALID."""
    if info.context.principal is None:
        rejected = info.context.token_rejected
        raise Unauthenticated(ErrorCode.TOKEN_INVALID if rejected else ErrorCode.UNAUTHENTICATED)
    return info.context.principal


def member_or_none(info: Info) -> uuid.UUID | None:
    """For queries: the verified member asking, or None (unverified user, partner, agent)."""
    return getattr(principal(info), "member_id", None)


def wechat_user(info: Info) -> MemberPrincipal:
    """A logged-in mini-program user, verified or not."""
    who = principal(info)
    if not isinstance(who, MemberPrincipal):
        raise DomainError(ErrorCode.FORBIDDEN)
    return who


def verified_member(info: Info) -> uuid.UUID:
    """The insured member behind a mini-program user who passed identity verification."""
    who = wechat_user(info)
    if who.member_id is None:
        raise DomainError(ErrorCode.IDENTITY_NOT_VERIFIED)
    return who.member_id


def verified_principal(info: Info) -> MemberPrincipal:
    verified_member(info)
    return wechat_user(info)


def agent(info: Info) -> AgentPrincipal:
    who = principal(info)
    if not isinstance(who, AgentPrincipal):
        raise DomainError(ErrorCode.FORBIDDEN)
    return who


def institution(info: Info) -> InstitutionPrincipal:
    who = principal(info)
    if not isinstance(who, InstitutionPrincipal):
        raise DomainError(ErrorCode.FORBIDDEN)
    return who
