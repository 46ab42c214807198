"""Read side of holds: the agents' queue, within each agent's scope."""

from __future__ import annotations

from tortoise.queryset import QuerySet

from gongji.fraud.models import AuthorizationHold, HoldStatus
from gongji.identity.principals import AgentPrincipal
from gongji.identity.rules import AgentScope


def holds_for_agent(
    agent: AgentPrincipal, status: HoldStatus | None
) -> QuerySet[AuthorizationHold]:
    """Holds whose authorizer is insured where the agent may act (R21), newest first."""
    query = AuthorizationHold.all()
    if agent.scope is not AgentScope.NATIONWIDE:
        prefix = 4 if agent.scope is AgentScope.CITY else 2
        query = query.filter(region__startswith=agent.office_region[:prefix])
    if status is not None:
        query = query.filter(status=status)
    return query.select_related("authorization__authorizer", "authorization__relative")
