"""R21: fraud detection 套取医保基金, as data. Each rule is a row of policy (`fraud_rules` in
policies.toml) with its thresholds; deciding whether it fires on a payment is pure.

A rule that fires puts the authorization on hold. The payment that fired it completes: it was
within the quota the authorizer granted, the patient is at the counter, and refusing it would
not undo what the rule saw (the pattern is already in the past payments). The next payment is
refused with AUTHORIZATION_ON_HOLD until an agent releases the hold or ends the authorization.
A release marks the moment: the rules look only at payments made after it, so a false
positive does not fire again on the same history.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


class RuleKind(enum.Enum):
    PHARMACY_BURST = "pharmacy_burst"  # many pharmacy purchases on one authorization
    MANY_CITIES = "many_cities"  # institutions in several cities within hours
    LARGE_PROXY_PURCHASE = "large_proxy_purchase"  # 代购药 above an amount (R17)
    DRAIN_AFTER_GRANT = "drain_after_grant"  # most of a quota spent right after it was granted


@dataclass(frozen=True)
class FraudRule:
    """One detection rule. Which thresholds apply depends on `kind` (see `fires`)."""

    id: str
    kind: RuleKind
    zh: str
    en: str
    within: timedelta = timedelta(0)
    count: int = 0  # PHARMACY_BURST: more than this many; MANY_CITIES: this many cities
    amount_fen: int = 0  # LARGE_PROXY_PURCHASE: above this; DRAIN_AFTER_GRANT: quota from this
    share_percent: int = 0  # DRAIN_AFTER_GRANT: spent reaches this share of the quota

    @classmethod
    def from_policy(cls, row: Mapping[str, Any]) -> FraudRule:
        return cls(
            id=str(row["id"]),
            kind=RuleKind(row["kind"]),
            zh=str(row["zh"]),
            en=str(row["en"]),
            within=timedelta(hours=float(row.get("within_hours", 0))),
            count=int(row.get("count", 0)),
            amount_fen=int(row.get("amount_fen", 0)),
            share_percent=int(row.get("share_percent", 0)),
        )


@dataclass(frozen=True)
class PastPayment:
    """A payment already made on the authorization, as the rules see it."""

    at: datetime
    pharmacy: bool
    city: str


@dataclass(frozen=True)
class NewPayment:
    """The payment being made, with the authorization's figures after it."""

    at: datetime
    pharmacy: bool
    city: str
    proxy: bool
    family_amount: int
    quota: int
    spent_after: int
    quota_granted_at: datetime


def window_start(rules: Iterable[FraudRule], now: datetime) -> datetime:
    """How far back the rules look: their longest window."""
    return now - max((r.within for r in rules if _needs_history(r)), default=timedelta(0))


def needs_history(rules: Iterable[FraudRule]) -> bool:
    return any(_needs_history(r) for r in rules)


def _needs_history(rule: FraudRule) -> bool:
    return rule.kind in (RuleKind.PHARMACY_BURST, RuleKind.MANY_CITIES)


def fires(rule: FraudRule, new: NewPayment, past: Iterable[PastPayment]) -> dict[str, Any] | None:
    """What the rule saw if it fires on `new` (facts, never personal data), else None.

    `past` holds the authorization's earlier payments since the last release."""
    since = new.at - rule.within
    recent = [p for p in past if p.at >= since]
    if rule.kind is RuleKind.PHARMACY_BURST:
        purchases = sum(p.pharmacy for p in recent) + 1
        if new.pharmacy and purchases > rule.count:
            return {"pharmacyPurchases": purchases}
    elif rule.kind is RuleKind.MANY_CITIES:
        cities = {p.city for p in recent} | {new.city}
        if len(cities) >= rule.count:
            return {"cities": sorted(cities)}
    elif rule.kind is RuleKind.LARGE_PROXY_PURCHASE:
        if new.proxy and new.family_amount > rule.amount_fen:
            return {"familyAmount": new.family_amount}
    elif rule.kind is RuleKind.DRAIN_AFTER_GRANT:
        drained = new.spent_after * 100 >= new.quota * rule.share_percent
        soon = new.at - new.quota_granted_at <= rule.within
        if new.quota >= rule.amount_fen and drained and soon:
            minutes = int((new.at - new.quota_granted_at).total_seconds() // 60)
            return {"spent": new.spent_after, "quota": new.quota, "minutesAfterGrant": minutes}
    return None


def fired(
    rules: Iterable[FraudRule], new: NewPayment, past: Iterable[PastPayment]
) -> list[dict[str, Any]]:
    """Every rule that fires, in policy order, each as {"rule": id, …what it saw}."""
    history = list(past)
    found = []
    for rule in rules:
        facts = fires(rule, new, history)
        if facts is not None:
            found.append({"rule": rule.id, "kind": rule.kind.value, **facts})
    return found
