import pytest

from gongji.errors import CATALOGUE, DomainError, ErrorCode
from gongji.money import format_yuan, parse_yuan


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_code_explains_itself_in_chinese_and_english(code: ErrorCode) -> None:
    explanation = CATALOGUE[code]
    assert explanation.zh and explanation.en
    error = DomainError(code)
    assert "{" not in error.message("zh") and "{" not in error.message("en")


@pytest.mark.parametrize(
    ("text", "fen"), [("1234.50", 123450), ("0.01", 1), ("2000", 200000), ("12.3", 1230)]
)
def test_yuan_strings_parse_to_fen(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["0", "-1", "1.234", "abc", "1e3", "", "0.00", "99999999999999"])
def test_bad_amounts_are_typed_errors(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_yuan(text)
    assert caught.value.code is ErrorCode.INVALID_INPUT


def test_fen_format_as_yuan_beyond_32_bits() -> None:
    assert format_yuan(1_000_000_000_000) == "10000000000.00"
    assert format_yuan(5) == "0.05"
