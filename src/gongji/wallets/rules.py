"""Pure wallet and authorization rules (R1, R10–R12)."""

from __future__ import annotations

from datetime import datetime, time

from gongji.clock import CHINA
from gongji.errors import DomainError, ErrorCode
from gongji.members.rules import InsuranceStatus, InsuranceType, can_share_own_account
from gongji.money import format_yuan
from gongji.regions.policy import RegionPolicy


def check_can_share(insurance_type: InsuranceType, status: InsuranceStatus) -> None:
    """R1: only an employee-insured member in normal status has an account to share.

    R20: a deceased holder's balance waits for the heirs; nothing spends it.
    """
    if status is InsuranceStatus.DECEASED:
        raise DomainError(ErrorCode.MEMBER_DECEASED)
    if not can_share_own_account(insurance_type, status):
        raise DomainError(ErrorCode.NOT_EMPLOYEE_INSURED)


def _in_quiet_hours(at: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= at < end
    return at >= start or at < end  # wraps midnight, e.g. 22:00–06:00


def check_transfer(amount: int, policy: RegionPolicy, now: datetime, done_today: int) -> None:
    """R10: per-transfer maximum, transfers per day, and no transfers in quiet hours."""
    local = now.astimezone(CHINA).time()
    if _in_quiet_hours(local, policy.transfer_quiet_start, policy.transfer_quiet_end):
        raise DomainError(
            ErrorCode.TRANSFER_QUIET_HOURS,
            None,
            {
                "start": f"{policy.transfer_quiet_start:%H:%M}",
                "end": f"{policy.transfer_quiet_end:%H:%M}",
            },
        )
    if amount > policy.transfer_max_amount_fen:
        raise DomainError(
            ErrorCode.TRANSFER_OVER_LIMIT,
            "amount",
            {"max": format_yuan(policy.transfer_max_amount_fen)},
        )
    if done_today >= policy.transfer_max_per_day:
        raise DomainError(
            ErrorCode.TRANSFER_DAILY_LIMIT_REACHED, None, {"count": policy.transfer_max_per_day}
        )


def split_personal(amount: int, carryover: int, current: int) -> tuple[int, int]:
    """Take the carry-over balance first (历年结余), then the current year's (R12)."""
    if amount > carryover + current:
        raise DomainError(ErrorCode.PERSONAL_ACCOUNT_INSUFFICIENT, "amount")
    from_carryover = min(amount, carryover)
    return from_carryover, amount - from_carryover


def check_new_quota(quota: int, spent: int) -> None:
    """R11: a quota can be lowered, never below what is already spent."""
    if quota < spent:
        raise DomainError(ErrorCode.QUOTA_BELOW_SPENT, "quota", {"spent": format_yuan(spent)})


def active_slot(authorizer_id: object, relative_id: object) -> str:
    return f"{authorizer_id}:{relative_id}"
