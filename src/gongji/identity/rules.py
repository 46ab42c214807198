"""Pure rules for service-hall agents 经办人员: where they may act, and why they act."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.regions.code import RegionCode

REASON_MIN_CHARACTERS = 10
REASON_MAX_LENGTH = 255  # the audit record's column


class AgentScope(enum.Enum):
    """经办范围: the agent's office's city (default), its province, or the whole country."""

    CITY = "city"
    PROVINCE = "province"
    NATIONWIDE = "nationwide"


def within_scope(office_region: str, scope: AgentScope, region: str) -> bool:
    """Is a GB/T 2260 region inside what an agent of this office and scope may serve?"""
    if scope is AgentScope.NATIONWIDE:
        return True
    office = RegionCode(office_region)
    return RegionCode(region).within(office.city if scope is AgentScope.CITY else office.province)


def check_agent_scope(
    office_region: str, scope: AgentScope, regions: Iterable[str], *, field: str = "idNumber"
) -> None:
    """An agent acts only where one of the regions involved lies within their scope."""
    if any(within_scope(office_region, scope, region) for region in regions):
        return
    office = RegionCode(office_region)
    words = {
        AgentScope.CITY: bilingual(f"本市 {office.city}", f"city {office.city}"),
        AgentScope.PROVINCE: bilingual(f"本省 {office.province}", f"province {office.province}"),
    }[scope]
    raise DomainError(ErrorCode.AGENT_OUTSIDE_SCOPE, field, {"scope": words})


def check_agent_reason(reason: str) -> str:
    """Every agent act carries a reason of at least a sentence: 10 letters, digits or Chinese
    characters after trimming; spaces and punctuation do not count. Returns it trimmed."""
    reason = reason.strip()
    if not reason:
        raise DomainError(ErrorCode.AGENT_REASON_REQUIRED, "reason")
    if sum(ch.isalnum() for ch in reason) < REASON_MIN_CHARACTERS:
        raise DomainError(
            ErrorCode.AGENT_REASON_TOO_SHORT, "reason", {"min": REASON_MIN_CHARACTERS}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "reason",
            {"reason": bilingual("办理原因最多255个字符", "a reason has at most 255 characters")},
        )
    return reason
