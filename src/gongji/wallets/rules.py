"""Pure wallet and authorization rules (R1, R10–R12)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from gongji.clock import CHINA
from gongji.errors import DomainError, ErrorCode, bilingual
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
    _check_limits(
        amount, policy.transfer_max_amount_fen, policy.transfer_max_per_day, policy, now, done_today
    )


def check_family_transfer(
    amount: int, policy: RegionPolicy, now: datetime, done_today: int
) -> None:
    """R10 for a transfer to a relative: its own maximum and count, the same quiet hours."""
    _check_limits(
        amount,
        policy.family_transfer_max_amount_fen,
        policy.family_transfer_max_per_day,
        policy,
        now,
        done_today,
    )


def family_transfer_due(policy: RegionPolicy, now: datetime) -> datetime:
    """R10: an unaccepted transfer returns at 06:00 (policy) China time, the next day."""
    next_day = now.astimezone(CHINA).date() + timedelta(days=1)
    return datetime.combine(next_day, policy.family_transfer_returns_at, tzinfo=CHINA)


def pending_slot(sender_id: object, recipient_id: object) -> str:
    return f"{sender_id}:{recipient_id}"


def _check_limits(
    amount: int,
    max_amount: int,
    max_per_day: int,
    policy: RegionPolicy,
    now: datetime,
    done_today: int,
) -> None:
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
    if amount > max_amount:
        raise DomainError(ErrorCode.TRANSFER_OVER_LIMIT, "amount", {"max": format_yuan(max_amount)})
    if done_today >= max_per_day:
        raise DomainError(ErrorCode.TRANSFER_DAILY_LIMIT_REACHED, None, {"count": max_per_day})


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


def month_of(now: datetime) -> date:
    """The first day of the month in China: monthly caps reset then (Asia/Shanghai)."""
    return now.astimezone(CHINA).date().replace(day=1)


def spent_this_month(month_spent: int | None, counted_month: date | None, now: datetime) -> int:
    """What counts against the monthly cap now: nothing once the month has turned."""
    return (month_spent or 0) if counted_month == month_of(now) else 0


def spendable(
    *,
    quota: int,
    spent: int,
    monthly_cap: int | None,
    month_spent: int | None,
    counted_month: date | None,
    now: datetime,
) -> int:
    """R11 and the monthly cap: what the relative may still spend right now.

    Raises MONTHLY_CAP_REACHED when the quota has money left but this month's cap has not."""
    left = quota - spent
    if monthly_cap is None or left <= 0:
        return left
    this_month = monthly_cap - spent_this_month(month_spent, counted_month, now)
    if this_month <= 0:
        raise DomainError(
            ErrorCode.MONTHLY_CAP_REACHED, "authorizationId", {"cap": format_yuan(monthly_cap)}
        )
    return min(left, this_month)


def check_not_expired(valid_until: date | None, now: datetime) -> None:
    """An authorization may be used through its last day (China time), not after."""
    if valid_until is not None and now.astimezone(CHINA).date() > valid_until:
        raise DomainError(
            ErrorCode.AUTHORIZATION_EXPIRED, "authorizationId", {"date": valid_until.isoformat()}
        )


def check_valid_until(valid_until: date | None, now: datetime) -> None:
    """A last day must be today or later, China time."""
    if valid_until is not None and valid_until < now.astimezone(CHINA).date():
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "validUntil",
            {"reason": bilingual("截止日期不能早于今天", "the last day cannot be in the past")},
        )


def check_not_on_hold(hold_rule: str | None) -> None:
    """R21: a fraud rule put the authorization on hold; an agent must release it first."""
    if hold_rule is not None:
        raise DomainError(ErrorCode.AUTHORIZATION_ON_HOLD, "authorizationId", {"rule": hold_rule})
