"""R21 rules decided without a database; R10/R11 dates in China time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from gongji.errors import DomainError, ErrorCode
from gongji.fraud.rules import FraudRule, NewPayment, PastPayment, RuleKind, fired, window_start
from gongji.regions.policy import PolicyBook
from gongji.wallets import rules

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
RULES = PolicyBook.load().policy_for("620100", date(2026, 3, 10)).fraud_rules


BASE = NewPayment(
    at=NOW,
    pharmacy=True,
    city="620100",
    proxy=False,
    family_amount=1_000,
    quota=50_000,
    spent_after=1_000,
    quota_granted_at=NOW - timedelta(days=10),
)


def new(**changes: Any) -> NewPayment:
    return replace(BASE, **changes)


def ago(hours: float, city: str = "620100", pharmacy: bool = True) -> PastPayment:
    return PastPayment(NOW - timedelta(hours=hours), pharmacy, city)


def ids(found: list[dict[str, object]]) -> list[object]:
    return [hit["rule"] for hit in found]


def test_the_policy_holds_four_rules() -> None:
    assert [(r.id, r.kind) for r in RULES] == [
        ("F1", RuleKind.PHARMACY_BURST),
        ("F2", RuleKind.MANY_CITIES),
        ("F3", RuleKind.LARGE_PROXY_PURCHASE),
        ("F4", RuleKind.DRAIN_AFTER_GRANT),
    ]
    assert window_start(RULES, NOW) == NOW - timedelta(hours=24)


def test_f1_counts_pharmacy_purchases_in_the_window() -> None:
    five = [ago(h) for h in (1, 2, 3, 4, 24)]
    assert ids(fired(RULES, new(), five)) == ["F1"]  # the 6th, the oldest exactly 24h ago
    assert ids(fired(RULES, new(), [ago(h) for h in (1, 2, 3, 4, 24.01)])) == []
    assert ids(fired(RULES, new(pharmacy=False), five)) == []  # a hospital visit: not F1
    hospital = [ago(h, pharmacy=False) for h in (1, 2, 3, 4, 5)]
    assert ids(fired(RULES, new(), hospital)) == []


def test_f2_counts_distinct_cities() -> None:
    past = [ago(5.9, "410100"), ago(1, "310100"), ago(0.5, "310100")]
    assert ids(fired(RULES, new(pharmacy=False), past)) == ["F2"]
    assert ids(fired(RULES, new(pharmacy=False), [ago(6.1, "410100"), ago(1, "310100")])) == []


def test_f3_proxy_above_the_amount() -> None:
    assert ids(fired(RULES, new(proxy=True, family_amount=100_001), [])) == ["F3"]
    assert ids(fired(RULES, new(proxy=True, family_amount=100_000), [])) == []
    assert ids(fired(RULES, new(proxy=False, family_amount=900_000), [])) == []


def test_f4_drain_soon_after_granting() -> None:
    soon = NOW - timedelta(minutes=60)
    assert ids(fired(RULES, new(quota=100_000, spent_after=90_000, quota_granted_at=soon), [])) == [
        "F4"
    ]
    late = NOW - timedelta(minutes=61)
    assert fired(RULES, new(quota=100_000, spent_after=100_000, quota_granted_at=late), []) == []
    small = new(quota=99_999, spent_after=99_999, quota_granted_at=NOW)
    assert fired(RULES, small, []) == []


def test_a_rule_row_reads_its_thresholds() -> None:
    row = {"id": "X", "kind": "many_cities", "zh": "z", "en": "e", "within_hours": 2, "count": 4}
    rule = FraudRule.from_policy(row)
    assert (rule.within, rule.count, rule.amount_fen) == (timedelta(hours=2), 4, 0)


def test_months_turn_at_midnight_in_china() -> None:
    last_minute = datetime(2026, 3, 31, 15, 59, tzinfo=UTC)  # 23:59 in China
    assert rules.month_of(last_minute) == date(2026, 3, 1)
    assert rules.month_of(last_minute + timedelta(minutes=1)) == date(2026, 4, 1)
    assert rules.spent_this_month(5_000, date(2026, 3, 1), last_minute) == 5_000
    assert rules.spent_this_month(5_000, date(2026, 3, 1), last_minute + timedelta(minutes=1)) == 0


def test_spendable_is_the_smaller_of_quota_and_month() -> None:
    def spendable(spent: int, cap: int | None) -> int:
        month = date(2026, 3, 1)
        return rules.spendable(
            quota=50_000,
            spent=spent,
            monthly_cap=cap,
            month_spent=8_000,
            counted_month=month,
            now=NOW,
        )

    assert spendable(10_000, 10_000) == 2_000
    assert spendable(10_000, None) == 40_000
    with pytest.raises(DomainError) as capped:
        spendable(10_000, 8_000)
    assert capped.value.code is ErrorCode.MONTHLY_CAP_REACHED


def test_a_transfer_returns_at_six_the_next_day_in_china() -> None:
    policy = PolicyBook.load().policy_for("620100", date(2026, 3, 10))
    evening = datetime(2026, 3, 10, 13, 59, tzinfo=UTC)  # 21:59 in China
    assert rules.family_transfer_due(policy, evening) == datetime(2026, 3, 10, 22, tzinfo=UTC)
    after_midnight_utc = datetime(2026, 3, 10, 16, 30, tzinfo=UTC)  # 00:30 on the 11th
    assert rules.family_transfer_due(policy, after_midnight_utc) == datetime(
        2026, 3, 11, 22, tzinfo=UTC
    )
