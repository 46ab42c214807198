"""Institution codes: H + 6-digit region + 5 digits, or P + 11 digits (region first)."""

from __future__ import annotations

import enum
import re
from datetime import datetime, timedelta

from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.institutions.models import InstitutionKind

_CODE = re.compile(r"^([HP])(\d{6})(\d{5})$", re.ASCII)


def parse_institution_code(code: str) -> tuple[InstitutionKind, str]:
    match = _CODE.match(code.strip().upper())
    if not match:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "institutionCode",
            {"reason": bilingual("应为H或P加11位数字", "H or P and 11 digits")},
        )
    kind = InstitutionKind.HOSPITAL if match.group(1) == "H" else InstitutionKind.PHARMACY
    return kind, match.group(2)


MAX_ACTIVE_KEYS = 10
MAX_EXPIRY_DAYS = 3650
LAST_USE_GRANULARITY = timedelta(minutes=1)  # last use is written at most once a minute


class ApiKeyStatus(enum.Enum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


def key_status(
    revoked_at: datetime | None, expires_at: datetime | None, now: datetime
) -> ApiKeyStatus:
    if revoked_at is not None:
        return ApiKeyStatus.REVOKED
    if expires_at is not None and expires_at <= now:
        return ApiKeyStatus.EXPIRED
    return ApiKeyStatus.ACTIVE


def check_label(label: str) -> str:
    """Which system or person holds the key: 1–64 characters."""
    label = label.strip()
    if not 1 <= len(label) <= 64:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "label", {"reason": bilingual("1–64个字符", "1–64 characters")}
        )
    return label


def expiry(expires_in_days: int | None, now: datetime) -> datetime | None:
    if expires_in_days is None:
        return None
    if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "expiresInDays",
            {"reason": bilingual(f"1–{MAX_EXPIRY_DAYS}天", f"1–{MAX_EXPIRY_DAYS} days")},
        )
    return now + timedelta(days=expires_in_days)


def check_room_for_key(active: int) -> None:
    if active >= MAX_ACTIVE_KEYS:
        raise DomainError(ErrorCode.API_KEY_LIMIT_REACHED, "label", {"max": MAX_ACTIVE_KEYS})


def last_use_is_stale(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= LAST_USE_GRANULARITY
