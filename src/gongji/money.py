"""Money is an integer number of fen everywhere; yuan strings exist only at the API edge."""

from __future__ import annotations

import re

from gongji.errors import DomainError, ErrorCode, bilingual

MAX_FEN = 10**13  # 1,000亿元: far above any real balance, far below 2**63
_YUAN = re.compile(r"(0|[1-9]\d{0,12})(\.\d{1,2})?", re.ASCII)


def parse_yuan(text: str, *, field: str = "amount") -> int:
    """'1234.5' → 123450 fen. Positive, at most two decimals, within bounds."""
    if not isinstance(text, str) or not _YUAN.fullmatch(text.strip()):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            field,
            {"reason": bilingual("金额格式应如 1234.50", "a yuan amount like 1234.50")},
        )
    whole, _, frac = text.strip().partition(".")
    fen = int(whole) * 100 + int((frac + "00")[:2])
    if not 0 < fen <= MAX_FEN:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            field,
            {"reason": bilingual("金额须大于0且在上限内", "must be above zero and within bounds")},
        )
    return fen


def format_yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"
