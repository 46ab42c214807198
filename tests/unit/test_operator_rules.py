"""Credit files, heirs and shares, bindings after a move: pure rules (R20, R30)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from gongji.credits import rules as credits
from gongji.credits.models import CreditKind
from gongji.errors import DomainError, ErrorCode
from gongji.families.rules import Relationship
from gongji.lifecycle import rules
from tests.conftest import policies_where

ZHANG = "620102197603150119"
HEADER = "id_number,period,amount,source_reference,kind\n"


def test_a_credit_file_reads_kinds_and_amounts_r30() -> None:
    lines, errors = credits.parse(
        "\ufeff" + HEADER + f"{ZHANG},2026-03,120.5,LZ-2026-03-1,\n"
        f"{ZHANG},2026-01,3000,LZ-OPEN-1,opening_carryover\n"
        f"{ZHANG},2026-01,0,LZ-OPEN-2,OPENING_CURRENT\n"
    )
    assert errors == []
    assert [(c.line, c.amount, c.kind) for c in lines] == [
        (2, 12_050, CreditKind.MONTHLY),
        (3, 300_000, CreditKind.OPENING_CARRYOVER),
        (4, 0, CreditKind.OPENING_CURRENT),
    ]


def test_every_bad_line_is_reported_with_its_number_and_no_id_number_in_full() -> None:
    bad_check = ZHANG[:-1] + "8"
    _lines, errors = credits.parse(
        HEADER + f"{ZHANG},2026-03,10,A-1,\n"
        f"{bad_check},2026-03,10,A-2,\n"
        f"{ZHANG},2026-13,10,A-3,\n"
        f"{ZHANG},2026-03,-5,A-4,\n"
        f"{ZHANG},2026-03,1.234,A-5,\n"
        f"{ZHANG},2026-03,10,,\n"
        f"{ZHANG},2026-03,10,A-1,\n"
        f"{ZHANG},2026-03,10,A-8,bonus\n"
    )
    assert [e.line for e in errors] == [3, 4, 5, 6, 7, 8, 9]
    assert "620102********0118" in errors[0].reason
    assert "repeats line 2" in errors[5].reason
    assert all(bad_check not in e.reason and ZHANG not in e.reason for e in errors)


def test_a_file_without_its_columns_is_refused_at_line_1() -> None:
    _lines, errors = credits.parse("id_number,amount\n")
    assert errors[0].line == 1 and "period" in errors[0].reason


def test_shares_split_to_the_fen() -> None:
    thirds = [Fraction(1, 3)] * 3
    assert rules.split_estate(100, thirds) == [34, 33, 33]
    assert (
        sum(rules.split_estate(1_000_001, [Fraction(1, 2), Fraction(1, 6), Fraction(1, 3)]))
        == 1_000_001
    )
    assert rules.split_estate(0, thirds) == [0, 0, 0]


def test_heirs_must_share_the_whole_estate_r20() -> None:
    heir = rules.Heir("李娜", "620103197808220228", Fraction(1, 2))
    rules.check_heirs([heir, rules.Heir("张小明", "620102201406010132", Fraction(1, 2))], ZHANG)
    for heirs in ([heir], [heir, heir], [rules.Heir("张伟", ZHANG, Fraction(1))], []):
        with pytest.raises(DomainError) as caught:
            rules.check_heirs(heirs, ZHANG)
        assert caught.value.code is ErrorCode.INHERITANCE_SHARES_INVALID


def test_heirs_from_arguments() -> None:
    heirs = rules.parse_heir_arguments(
        ["李娜:620103197808220228:2/3", "张小明:620102201406010132:1/3"]
    )
    assert [(h.name, h.share) for h in heirs] == [
        ("李娜", Fraction(2, 3)),
        ("张小明", Fraction(1, 3)),
    ]
    for bad in ["李娜:620103197808220228", "李娜:620103197808220228:0", "李娜:123:1/2"]:
        with pytest.raises(ValueError):
            rules.parse_heir_arguments([bad])


def test_a_move_keeps_the_bindings_the_new_region_allows_r3_r20() -> None:
    henan = policies_where("410000", relationship_scope="core").policy_for(
        "410100", date(2026, 3, 10)
    )
    assert rules.relationship_allowed(Relationship.PARENT, henan)
    assert not rules.relationship_allowed(Relationship.SIBLING, henan)
    assert rules.relationship_allowed(None, henan)  # the creator
    assert rules.moved_city("620100", "410100") and not rules.moved_city("620102", "620103")
