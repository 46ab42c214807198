from datetime import date

import pytest

from gongji.errors import DomainError, ErrorCode
from gongji.regions.policy import PolicyBook, RelationshipScope, SharingScope, explain

SEED_REGIONS = [
    "620000",
    "620100",
    "650000",
    "650100",
    "440000",
    "440300",
    "210000",
    "210900",
    "150000",
    "150800",
    "450000",
    "450900",
    "140000",
    "140200",
    "410000",
]


@pytest.fixture(scope="module")
def book() -> PolicyBook:
    return PolicyBook.load()


@pytest.mark.parametrize("code", SEED_REGIONS)
def test_every_seed_region_has_a_named_policy(book: PolicyBook, code: str) -> None:
    policy = book.policy_for(code, date(2026, 1, 1))
    assert policy.region_name != code


def test_gansu_is_nationwide_from_2025(book: PolicyBook) -> None:
    assert book.policy_for("620100", date(2024, 12, 31)).sharing_scope is SharingScope.PROVINCE
    new_year = book.policy_for("620100", date(2025, 1, 1))
    assert new_year.sharing_scope is SharingScope.NATIONWIDE
    assert new_year.sharing_scope_since == date(2025, 1, 1)


def test_near_relatives_everywhere_from_end_of_2024(book: PolicyBook) -> None:
    assert book.policy_for("410100", date(2024, 6, 1)).relationship_scope is RelationshipScope.CORE
    assert book.policy_for("410100", date(2025, 1, 1)).relationship_scope is RelationshipScope.NEAR


def test_city_and_district_inherit_their_province(book: PolicyBook) -> None:
    urumqi_district = book.policy_for("650102", date(2026, 1, 1))
    assert (urumqi_district.binding_cap_at_once, urumqi_district.binding_cap_lifetime) == (10, 20)
    assert urumqi_district.region_name == "乌鲁木齐市"
    assert urumqi_district.province_name == "新疆维吾尔自治区"


def test_wallet_limits_come_from_policy(book: PolicyBook) -> None:
    policy = book.policy_for("620100", date(2026, 1, 1))
    assert policy.transfer_max_per_day == 3
    assert policy.transfer_max_amount_fen == 200_000
    assert f"{policy.transfer_quiet_start:%H:%M}-{policy.transfer_quiet_end:%H:%M}" == "22:00-06:00"
    assert "FITNESS" in policy.excluded_categories


@pytest.mark.parametrize("code", ["990000", "12345", "000000"])
def test_unknown_or_malformed_region_is_a_typed_error(book: PolicyBook, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        book.policy_for(code, date(2026, 1, 1))
    assert caught.value.code is ErrorCode.INVALID_REGION


def test_policy_explains_itself_in_both_languages(book: PolicyBook) -> None:
    policy = book.policy_for("620100", date(2026, 1, 1))
    assert any("全国范围" in line for line in explain(policy, "zh"))
    assert any("anywhere in mainland China" in line for line in explain(policy, "en"))


def test_a_policy_file_with_an_unknown_scope_fails_at_load() -> None:
    data = {
        "commitment_letter_version": "1",
        "commitment_letter_text": "x",
        "national": {},
        "regions": {"620000": {"name": "甘肃省"}},
    }
    with pytest.raises(KeyError):
        PolicyBook(data)
