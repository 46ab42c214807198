"""Agents' scope and reasons, without a database."""

from __future__ import annotations

import pytest

from gongji.errors import DomainError, ErrorCode
from gongji.identity.rules import (
    AgentScope,
    check_agent_reason,
    check_agent_scope,
    within_scope,
)


@pytest.mark.parametrize(
    ("scope", "region", "inside"),
    [
        (AgentScope.CITY, "620100", True),
        (AgentScope.CITY, "620105", True),  # a district of the same city
        (AgentScope.CITY, "620200", False),  # another city in Gansu
        (AgentScope.PROVINCE, "620200", True),
        (AgentScope.PROVINCE, "650100", False),
        (AgentScope.NATIONWIDE, "650100", True),
    ],
)
def test_within_scope_of_a_lanzhou_office(scope: AgentScope, region: str, inside: bool) -> None:
    assert within_scope("620102", scope, region) is inside


def test_out_of_scope_names_the_scope() -> None:
    with pytest.raises(DomainError) as refused:
        check_agent_scope("620100", AgentScope.CITY, ["650100", "410100"])
    assert refused.value.code is ErrorCode.AGENT_OUTSIDE_SCOPE
    assert "620100" in refused.value.message("en")
    check_agent_scope("620100", AgentScope.CITY, ["650100", "620100"])  # one inside is enough


def test_a_reason_is_ten_letters_or_characters_after_trimming() -> None:
    assert check_agent_reason("  本人到厅申请解除绑定  ") == "本人到厅申请解除绑定"
    assert check_agent_reason("member asked") == "member asked"
    for short in ("本人申请解绑", "！！！！！！！！！！！！解绑", "a b c d e f g h i"):
        with pytest.raises(DomainError) as refused:
            check_agent_reason(short)
        assert refused.value.code is ErrorCode.AGENT_REASON_TOO_SHORT
    with pytest.raises(DomainError) as empty:
        check_agent_reason("   ")
    assert empty.value.code is ErrorCode.AGENT_REASON_REQUIRED


def test_a_reason_fits_the_audit_record() -> None:
    with pytest.raises(DomainError) as long:
        check_agent_reason("原因" * 200)
    assert long.value.code is ErrorCode.INVALID_INPUT
