from datetime import UTC, date, datetime

import pytest

from gongji.errors import DomainError, ErrorCode
from gongji.members.rules import InsuranceStatus, InsuranceType
from gongji.regions.policy import PolicyBook
from gongji.wallets import rules

LANZHOU = PolicyBook.load().policy_for("620100", date(2026, 3, 1))


def china(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 10, (hour - 8) % 24, minute, tzinfo=UTC)


@pytest.mark.parametrize(("hour", "minute"), [(22, 0), (23, 59), (0, 0), (5, 59)])
def test_no_transfers_in_quiet_hours_r10(hour: int, minute: int) -> None:
    with pytest.raises(DomainError) as caught:
        rules.check_transfer(100, LANZHOU, china(hour, minute), 0)
    assert caught.value.code is ErrorCode.TRANSFER_QUIET_HOURS
    assert "22:00" in caught.value.message("zh")


@pytest.mark.parametrize(("hour", "minute"), [(6, 0), (12, 0), (21, 59)])
def test_transfers_allowed_outside_quiet_hours(hour: int, minute: int) -> None:
    rules.check_transfer(200_000, LANZHOU, china(hour, minute), 2)


def test_transfer_amount_and_daily_count_limits_r10() -> None:
    with pytest.raises(DomainError) as over:
        rules.check_transfer(200_001, LANZHOU, china(10), 0)
    assert over.value.code is ErrorCode.TRANSFER_OVER_LIMIT
    assert "2000.00" in over.value.message("zh")
    with pytest.raises(DomainError) as fourth:
        rules.check_transfer(100, LANZHOU, china(10), 3)
    assert fourth.value.code is ErrorCode.TRANSFER_DAILY_LIMIT_REACHED


def test_carryover_is_used_before_current_year_r12() -> None:
    assert rules.split_personal(500, 300, 1000) == (300, 200)
    assert rules.split_personal(200, 300, 1000) == (200, 0)
    with pytest.raises(DomainError) as caught:
        rules.split_personal(1301, 300, 1000)
    assert caught.value.code is ErrorCode.PERSONAL_ACCOUNT_INSUFFICIENT


def test_quota_never_below_spent_r11() -> None:
    rules.check_new_quota(100, 100)
    with pytest.raises(DomainError) as caught:
        rules.check_new_quota(99, 100)
    assert caught.value.code is ErrorCode.QUOTA_BELOW_SPENT
    assert "1.00" in caught.value.message("en")


def test_only_employee_insured_may_share_r1() -> None:
    rules.check_can_share(InsuranceType.EMPLOYEE, InsuranceStatus.NORMAL)
    for insurance, status, code in [
        (InsuranceType.RESIDENT, InsuranceStatus.NORMAL, ErrorCode.NOT_EMPLOYEE_INSURED),
        (InsuranceType.EMPLOYEE, InsuranceStatus.SUSPENDED, ErrorCode.NOT_EMPLOYEE_INSURED),
        (InsuranceType.EMPLOYEE, InsuranceStatus.DECEASED, ErrorCode.MEMBER_DECEASED),  # R20
    ]:
        with pytest.raises(DomainError) as caught:
            rules.check_can_share(insurance, status)
        assert caught.value.code is code
