import pytest

from gongji.errors import DomainError, ErrorCode
from gongji.regions.code import RegionCode


@pytest.mark.parametrize("raw", ["", "62010", "6201000", "62O100", "000100", "６２０１００"])
def test_a_code_is_six_ascii_digits_and_not_province_00(raw: str) -> None:
    with pytest.raises(DomainError) as refused:
        RegionCode(raw, field="filter.insuredRegion")
    assert refused.value.code is ErrorCode.INVALID_REGION
    assert refused.value.field == "filter.insuredRegion"


def test_surrounding_spaces_are_dropped_and_it_equals_its_text() -> None:
    code = RegionCode(" 620102 ")
    assert str(code) == "620102"
    assert code == "620102" and code == RegionCode("620102") and code != "620100"
    assert len({code, RegionCode("620102")}) == 1


@pytest.mark.parametrize(
    ("raw", "province", "city", "prefix"),
    [
        ("620102", "620000", "620100", "620102"),
        ("620100", "620000", "620100", "6201"),
        ("620000", "620000", "620000", "62"),
    ],
)
def test_province_city_and_prefix(raw: str, province: str, city: str, prefix: str) -> None:
    code = RegionCode(raw)
    assert (code.province, code.city, code.prefix) == (province, city, prefix)


@pytest.mark.parametrize(
    ("region", "scope", "inside"),
    [
        ("620102", "620000", True),
        ("620102", "620100", True),
        ("620102", "620102", True),
        ("620100", "620100", True),
        ("620000", "620100", False),  # a province is not inside one of its cities
        ("620503", "620100", False),
        ("650102", "620000", False),
        ("620102", "620103", False),
    ],
)
def test_within(region: str, scope: str, inside: bool) -> None:
    assert RegionCode(region).within(RegionCode(scope)) is inside
