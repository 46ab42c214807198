from datetime import date

import pytest
from stdnum.cn import ric

from gongji.errors import DomainError, ErrorCode
from gongji.members import rules


def test_valid_id_number_is_normalized_to_upper_case() -> None:
    assert rules.normalize_id_number(" 11010519491231002x ") == "11010519491231002X"


def test_elderly_parent_with_later_area_code_is_accepted() -> None:
    """Born 1976 in Chengguan, Lanzhou (620102 exists since 1983): stdnum alone rejects it."""
    number = "62010219760315011" + ric.calc_check_digit("620102197603150110")
    with pytest.raises(Exception):  # noqa: B017 - documents the library trap we avoid
        ric.validate(number)
    assert rules.normalize_id_number(number) == number


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("11010519491231002", "18"),
        ("110105194912310021", "check"),
        ("11010519491331002" + ric.calc_check_digit("110105194913310020"), "birth"),
        ("1101051949123100AX", "18"),
    ],
)
def test_bad_id_numbers_are_rejected_with_a_reason(number: str, reason: str) -> None:
    with pytest.raises(DomainError) as caught:
        rules.normalize_id_number(number)
    assert caught.value.code is ErrorCode.INVALID_ID_NUMBER
    assert caught.value.field == "idNumber"
    assert reason in caught.value.message("en")


def test_birth_date_in_the_future_is_rejected() -> None:
    first17 = "11010520991231002"
    with pytest.raises(DomainError):
        rules.normalize_id_number(first17 + ric.calc_check_digit(first17 + "0"))


def test_age_turns_on_the_birthday() -> None:
    number = "11010519491231002X"
    assert rules.age_on(number, date(2025, 12, 30)) == 75
    assert rules.age_on(number, date(2025, 12, 31)) == 76


def test_masks_hide_birth_date_and_phone_middle() -> None:
    assert rules.mask_id_number("11010519491231002X") == "110105********002X"
    assert rules.mask_phone("13893100001") == "138****0001"


@pytest.mark.parametrize("raw", ["1389310000", "23893100001", "1389310000a"])
def test_bad_phone_numbers_are_rejected(raw: str) -> None:
    with pytest.raises(DomainError) as caught:
        rules.normalize_phone(raw)
    assert caught.value.code is ErrorCode.INVALID_PHONE


def test_phone_with_country_code_is_accepted() -> None:
    assert rules.normalize_phone("+86 138 9310 0001") == "13893100001"


def test_only_employee_insured_in_normal_status_can_share_r1() -> None:
    employee, resident = rules.InsuranceType.EMPLOYEE, rules.InsuranceType.RESIDENT
    assert rules.can_share_own_account(employee, rules.InsuranceStatus.NORMAL)
    assert not rules.can_share_own_account(resident, rules.InsuranceStatus.NORMAL)
    assert not rules.can_share_own_account(employee, rules.InsuranceStatus.SUSPENDED)


@pytest.mark.parametrize(
    ("old", "new", "ends"),
    [
        (("620100", "normal"), ("620102", "normal"), False),  # a district of the same city
        (("620100", "normal"), ("620800", "normal"), True),  # another city in the province
        (("620100", "normal"), ("650100", "normal"), True),
        (("620100", "normal"), ("620100", "deceased"), True),
        (("620100", "normal"), ("620100", "terminated"), True),
        (("620100", "suspended"), ("620100", "terminated"), False),  # ended already
    ],
)
def test_sharing_ends_when_insurance_moves_or_stops_r20(
    old: tuple[str, str], new: tuple[str, str], ends: bool
) -> None:
    S = rules.InsuranceStatus
    assert rules.sharing_ends(old[0], S(old[1]), new[0], S(new[1])) is ends
