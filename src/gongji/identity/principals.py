"""Who is asking: the three kinds of caller the API knows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from gongji.identity.rules import AgentScope


@dataclass(frozen=True)
class MemberPrincipal:
    """A mini-program user; `member_id` is set once face verification linked them."""

    wechat_user_id: uuid.UUID
    openid: str
    member_id: uuid.UUID | None


@dataclass(frozen=True)
class AgentPrincipal:
    """Service-hall staff; they act within `scope` of their office's region."""

    agent_id: uuid.UUID
    username: str
    office_region: str
    scope: AgentScope


@dataclass(frozen=True)
class InstitutionPrincipal:
    institution_id: uuid.UUID
    code: str
    api_key_id: uuid.UUID | None = None  # the key this request came with


@dataclass(frozen=True)
class ActingAgent:
    """经办人员代办: an agent acting at the window for a member verified there in person."""

    agent_id: uuid.UUID
    reason: str
    verification_id: uuid.UUID


Principal = MemberPrincipal | AgentPrincipal | InstitutionPrincipal
