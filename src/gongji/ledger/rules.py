"""Pure ledger rules (R22): a transaction balances, and no entry is zero."""

from __future__ import annotations

from collections.abc import Sequence


class UnbalancedTransaction(ValueError):
    """A bug, never a user error: code tried to create or destroy money."""


def check_balanced(amounts: Sequence[int]) -> None:
    if len(amounts) < 2 or any(a == 0 for a in amounts) or sum(amounts) != 0:
        raise UnbalancedTransaction(f"entries {list(amounts)} do not balance")


def owner(kind: str, ident: object) -> str:
    return f"{kind}:{ident}"


SYSTEM = "system"


def region_fund_owner(region: str) -> str:
    """A region's fund for personal accounts 个人账户基金: credits come out of it (R30), and a
    member who moves takes their balance out of one region's fund into another's (R20)."""
    return owner("region", region)
