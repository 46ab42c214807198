"""Pure decisions for R20's life events: heirs and shares, and which bindings survive a move."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.families.rules import Relationship, check_relationship
from gongji.members.rules import InsuranceStatus, InsuranceType, normalize_id_number
from gongji.regions.policy import RegionPolicy


@dataclass(frozen=True)
class Heir:
    name: str
    id_number: str
    share: Fraction


def parse_share(raw: str) -> Fraction:
    """'1/3', '0.5' or '1': a share of the estate, above 0 and at most 1."""
    try:
        share = Fraction(raw.strip())
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"share {raw!r}: a fraction like 1/3 or 0.5") from None
    if not 0 < share <= 1:
        raise ValueError(f"share {raw!r}: above 0 and at most 1")
    return share


def _heir(name: str, id_number: str, share: str) -> Heir:
    name = name.strip()
    if not 1 <= len(name) <= 64:
        raise ValueError("heir name: 1–64 characters")
    try:
        number = normalize_id_number(id_number)
    except DomainError as error:
        raise ValueError(f"heir {name}: {error.message('en')}") from None
    return Heir(name, number, parse_share(share))


def parse_heir_arguments(values: Sequence[str]) -> list[Heir]:
    """`NAME:ID_NUMBER:SHARE` each, from the command line."""
    heirs = []
    for value in values:
        parts = value.split(":")
        if len(parts) != 3:
            raise ValueError(f"--heir {value!r}: NAME:ID_NUMBER:SHARE")
        heirs.append(_heir(*parts))
    return heirs


def parse_heirs_file(text: str) -> dict[str, list[Heir]]:
    """CSV `deceased_id_number,heir_name,heir_id_number,share`: heirs by deceased member."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = ("deceased_id_number", "heir_name", "heir_id_number", "share")
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"line 1: missing columns: {', '.join(missing)}")
    estates: dict[str, list[Heir]] = {}
    for number, record in enumerate(reader, start=2):
        try:
            deceased = normalize_id_number(record.get("deceased_id_number") or "")
            heir = _heir(
                record.get("heir_name") or "",
                record.get("heir_id_number") or "",
                record.get("share") or "",
            )
        except (ValueError, DomainError) as error:
            reason = error.message("en") if isinstance(error, DomainError) else str(error)
            raise ValueError(f"line {number}: {reason}") from None
        estates.setdefault(deceased, []).append(heir)
    return estates


def check_heirs(heirs: Sequence[Heir], deceased_id_number: str) -> None:
    """R20: at least one heir, each once, never the deceased, shares adding up to the whole."""

    def refuse(zh: str, en: str) -> DomainError:
        return DomainError(
            ErrorCode.INHERITANCE_SHARES_INVALID, "heir", {"reason": bilingual(zh, en)}
        )

    if not heirs:
        raise refuse("至少一名继承人", "name at least one heir")
    numbers = [h.id_number for h in heirs]
    if len(set(numbers)) != len(numbers):
        raise refuse("同一继承人出现多次", "an heir is named twice")
    if deceased_id_number in numbers:
        raise refuse("继承人不能是被继承人本人", "the deceased cannot be their own heir")
    total = sum((h.share for h in heirs), Fraction(0))
    if total != 1:
        raise refuse(f"份额合计为{total}，应为1", f"the shares add up to {total}, not 1")


def split_estate(total: int, shares: Sequence[Fraction]) -> list[int]:
    """Fen for each share, summing exactly to `total`: largest remainders get the odd fen,
    ties to the heir named first."""
    exact = [total * share for share in shares]
    amounts = [int(x) for x in exact]  # floor: every amount and share is non-negative
    left = total - sum(amounts)
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - amounts[i]), i))
    for i in order[:left]:
        amounts[i] += 1
    return amounts


def can_inherit_into_account(insurance_type: InsuranceType, status: InsuranceStatus) -> bool:
    """An heir receives into their personal account only if they have one (R1): employee-
    insured and not deceased. Otherwise the share is held in the estate account."""
    return insurance_type is InsuranceType.EMPLOYEE and status is not InsuranceStatus.DECEASED


def relationship_allowed(relationship: Relationship | None, policy: RegionPolicy) -> bool:
    """Whether a binding survives under this region's policy (R3); the creator always does."""
    if relationship is None:
        return True
    try:
        check_relationship(relationship, policy)
    except DomainError:
        return False
    return True


def moved_city(old_region: str, new_region: str) -> bool:
    """转移接续 is a move to another 统筹区 (city); a move within the city is not (R20)."""
    return old_region[:4] != new_region[:4]
