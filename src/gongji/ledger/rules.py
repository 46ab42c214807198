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
