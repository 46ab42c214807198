"""The region's credit file 个人账户划入文件 (CSV), read and checked line by line, no database.

Columns: `id_number,period,amount,source_reference` and an optional `kind` (`monthly` when
empty; `opening_carryover` / `opening_current` load the balances at go-live). Amounts are
yuan with at most two decimals; 0 is allowed (a line that moves nothing).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from gongji.credits.models import CreditKind
from gongji.errors import DomainError
from gongji.ledger.models import AccountKind
from gongji.members.rules import (
    InsuranceStatus,
    InsuranceType,
    mask_id_number,
    normalize_id_number,
)
from gongji.money import MAX_FEN

COLUMNS = ("id_number", "period", "amount", "source_reference", "kind")
REQUIRED = COLUMNS[:4]
_PERIOD = re.compile(r"(19|20)\d\d-(0[1-9]|1[0-2])", re.ASCII)
_AMOUNT = re.compile(r"(0|[1-9]\d{0,12})(\.\d{1,2})?", re.ASCII)
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}", re.ASCII)


@dataclass(frozen=True)
class CreditLine:
    line: int
    id_number: str
    period: str
    amount: int  # fen
    source_reference: str
    kind: CreditKind


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str


def _amount(raw: str) -> int:
    text = raw.strip()
    if not _AMOUNT.fullmatch(text):
        raise ValueError(f"amount {text!r}: yuan with at most two decimals, like 120.50")
    whole, _, frac = text.partition(".")
    fen = int(whole) * 100 + int((frac + "00")[:2])
    if fen > MAX_FEN:
        raise ValueError("amount is above any real balance")
    return fen


def _kind(raw: str) -> CreditKind:
    text = raw.strip().lower() or CreditKind.MONTHLY.value
    try:
        return CreditKind(text)
    except ValueError:
        raise ValueError(f"kind must be one of {', '.join(k.value for k in CreditKind)}") from None


def _line(line: int, record: dict[str, str]) -> CreditLine:
    raw_id = (record.get("id_number") or "").strip()
    try:
        id_number = normalize_id_number(raw_id)
    except DomainError as error:
        shown = mask_id_number(raw_id) if len(raw_id) == 18 else "the id_number"
        raise ValueError(f"{shown}: {error.message('en')}") from None
    period = (record.get("period") or "").strip()
    if not _PERIOD.fullmatch(period):
        raise ValueError(f"period {period!r}: a month, YYYY-MM")
    reference = (record.get("source_reference") or "").strip()
    if not _REFERENCE.fullmatch(reference):
        raise ValueError("source_reference: 1–64 letters, digits and ._:/- (starting with one)")
    return CreditLine(
        line=line,
        id_number=id_number,
        period=period,
        amount=_amount(record.get("amount") or ""),
        source_reference=reference,
        kind=_kind(record.get("kind") or ""),
    )


def parse(text: str) -> tuple[list[CreditLine], list[LineError]]:
    """Every valid line and every bad one (1-based, the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        return [], [LineError(1, f"missing columns: {', '.join(missing)}")]
    lines: list[CreditLine] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for number, record in enumerate(reader, start=2):
        try:
            credit = _line(number, record)
        except ValueError as error:
            errors.append(LineError(number, str(error)))
            continue
        if credit.source_reference in seen:
            first = seen[credit.source_reference]
            errors.append(LineError(number, f"source_reference repeats line {first}"))
            continue
        seen[credit.source_reference] = number
        lines.append(credit)
    return lines, errors


def content_hash(id_number_index: str, credit: CreditLine) -> str:
    """What a source reference stands for; the ID number only through its blind index."""
    parts = (id_number_index, credit.period, credit.kind.value, str(credit.amount))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def account_kind_for(kind: CreditKind) -> AccountKind:
    """R12: monthly credits and the opening current-year balance are this year's money."""
    if kind is CreditKind.OPENING_CARRYOVER:
        return AccountKind.PERSONAL_CARRYOVER
    return AccountKind.PERSONAL_CURRENT


def refusal(insurance_type: InsuranceType, status: InsuranceStatus) -> str | None:
    """Why this member cannot be credited, or None (R1, R20)."""
    if status is InsuranceStatus.DECEASED:
        return "deceased: no credits after death (R20)"
    if insurance_type is not InsuranceType.EMPLOYEE:
        return "resident-insured: no personal account to credit (R1)"
    return None


T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
