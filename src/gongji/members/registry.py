"""Registry files 参保人名册 (CSV): parse and validate every line before anything is written."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from gongji.errors import DomainError
from gongji.members.rules import (
    InsuranceStatus,
    InsuranceType,
    normalize_id_number,
    normalize_phone,
)
from gongji.regions.code import RegionCode
from gongji.regions.policy import PolicyBook

COLUMNS = (
    "name",
    "id_number",
    "insurance_type",
    "insured_region",
    "status",
    "phone",
    "outpatient_pool_balance",
)
_YUAN = re.compile(r"(0|[1-9]\d{0,12})(\.\d{1,2})?", re.ASCII)


@dataclass(frozen=True)
class RegistryRow:
    line: int
    name: str
    id_number: str
    insurance_type: InsuranceType
    insured_region: str
    status: InsuranceStatus
    phone: str
    outpatient_pool_balance: int | None = None  # fen; None: the registry did not supply it


def _pool_balance(raw: str) -> int | None:
    """门诊统筹余额 (R28), yuan; empty: not supplied."""
    text = raw.strip()
    if not text:
        return None
    if not _YUAN.fullmatch(text):
        raise ValueError("outpatient_pool_balance: yuan with at most two decimals, or empty")
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str


def _enum(kind: type[InsuranceType] | type[InsuranceStatus], raw: str, column: str) -> str:
    values = [e.value for e in kind]
    if raw.strip().lower() not in values:
        raise ValueError(f"{column} must be one of {', '.join(values)}")
    return raw.strip().lower()


def _row(line: int, record: dict[str, str], policies: PolicyBook) -> RegistryRow:
    name = (record.get("name") or "").strip()
    if not 1 <= len(name) <= 64:
        raise ValueError("name must be 1–64 characters")
    try:
        region = str(RegionCode(record.get("insured_region") or ""))
        if not policies.knows(region):
            raise ValueError(f"insured_region {region}: unknown province")
        return RegistryRow(
            line=line,
            name=name,
            id_number=normalize_id_number(record.get("id_number") or ""),
            insurance_type=InsuranceType(
                _enum(InsuranceType, record.get("insurance_type") or "", "insurance_type")
            ),
            insured_region=region,
            status=InsuranceStatus(
                _enum(InsuranceStatus, record.get("status") or "normal", "status")
            ),
            phone=normalize_phone(record["phone"]) if (record.get("phone") or "").strip() else "",
            outpatient_pool_balance=_pool_balance(record.get("outpatient_pool_balance") or ""),
        )
    except DomainError as error:
        raise ValueError(f"{error.field}: {error.message('en')}") from None


def parse(text: str, policies: PolicyBook) -> tuple[list[RegistryRow], list[LineError]]:
    """Every valid row and every bad line (1-based, header is line 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS[:4] if c not in (reader.fieldnames or [])]
    if missing:
        return [], [LineError(1, f"missing columns: {', '.join(missing)}")]
    rows: list[RegistryRow] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(reader, start=2):
        try:
            row = _row(index, record, policies)
        except ValueError as error:
            errors.append(LineError(index, str(error)))
            continue
        if row.id_number in seen:
            errors.append(LineError(index, f"id_number repeats line {seen[row.id_number]}"))
            continue
        seen[row.id_number] = index
        rows.append(row)
    return rows, errors


def chunks(rows: list[RegistryRow], size: int) -> Iterable[list[RegistryRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
