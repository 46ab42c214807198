"""Pure rules about insured people: ID numbers, ages, masking (R1, R2, R4)."""

from __future__ import annotations

import enum
import re
from datetime import date

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.regions.code import RegionCode

_PHONE = re.compile(r"1[3-9]\d{9}", re.ASCII)


class InsuranceType(enum.Enum):
    """参保类型: 职工医保 (insutype 310) or 城乡居民医保 (390)."""

    EMPLOYEE = "employee"
    RESIDENT = "resident"


class InsuranceStatus(enum.Enum):
    """参保状态."""

    NORMAL = "normal"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    DECEASED = "deceased"


def normalize_id_number(raw: str, *, field: str = "idNumber") -> str:
    """Validate a GB 11643 resident ID number and return it in canonical form.

    Checks length, digits, the ISO 7064 MOD 11-2 check character and the birth date with
    python-stdnum's pieces. It does *not* use `ric.validate` whole: that also requires the
    area code to have existed in the birth year, which rejects real numbers issued after a
    county got its current code (shared/STACK.md) — exactly the elderly parents we serve.
    """
    number = raw.strip().upper()
    # isascii: str.isdigit() is also true for "²" and full-width digits
    ascii_digits = number[:17].isascii() and number[:17].isdigit()
    if len(number) != 18 or not ascii_digits or number[17] not in "0123456789X":
        raise DomainError(
            ErrorCode.INVALID_ID_NUMBER,
            field,
            {"reason": bilingual("应为18位", "18 characters expected")},
        )
    if ric.calc_check_digit(number) != number[17]:
        raise DomainError(
            ErrorCode.INVALID_ID_NUMBER,
            field,
            {"reason": bilingual("校验码不符", "wrong check character")},
        )
    try:
        born = ric.get_birth_date(number)
    except ValidationError:
        raise DomainError(
            ErrorCode.INVALID_ID_NUMBER,
            field,
            {"reason": bilingual("出生日期无效", "invalid birth date")},
        ) from None
    if born > date.today():
        raise DomainError(
            ErrorCode.INVALID_ID_NUMBER,
            field,
            {"reason": bilingual("出生日期无效", "invalid birth date")},
        )
    return number


def birth_date(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def age_on(id_number: str, on: date) -> int:
    born = birth_date(id_number)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def normalize_phone(raw: str, *, field: str = "phone") -> str:
    phone = raw.strip().replace(" ", "").removeprefix("+86")
    if not _PHONE.fullmatch(phone):
        raise DomainError(ErrorCode.INVALID_PHONE, field)
    return phone


def mask_id_number(id_number: str) -> str:
    """110105********002X: region and last four only; the birth date never leaves."""
    return f"{id_number[:6]}********{id_number[-4:]}"


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


def can_share_own_account(insurance_type: InsuranceType, status: InsuranceStatus) -> bool:
    """R1: only an employee-insured member in normal status has a personal account to share."""
    return insurance_type is InsuranceType.EMPLOYEE and status is InsuranceStatus.NORMAL


def sharing_ends(
    old_region: str, old_status: InsuranceStatus, new_region: str, new_status: InsuranceStatus
) -> bool:
    """R20: sharing ends when insurance moves to another 统筹区 (city) or stops being normal."""
    moved = RegionCode(old_region).city != RegionCode(new_region).city
    stopped = old_status is InsuranceStatus.NORMAL and new_status is not InsuranceStatus.NORMAL
    return moved or stopped
