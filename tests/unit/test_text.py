import unicodedata

import pytest

from gongji.errors import DomainError, ErrorCode
from gongji.text import clean_text


@pytest.mark.parametrize(
    "text",
    ["a\x00b", "a\u202eb", "a\u2066b", "a\u200bb", "a\ufeffb", "\x1b[31m", "a\nb", "a\u2028b"],
)
def test_invisible_and_control_characters_are_refused_on_the_field(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        clean_text(text, field="name", max_length=64)
    assert (caught.value.code, caught.value.field) == (ErrorCode.INVALID_INPUT, "name")
    assert "U+" in caught.value.message("en")


def test_text_is_stored_composed_and_measured_after_composition() -> None:
    decomposed = unicodedata.normalize("NFD", "Café")
    assert clean_text(decomposed, field="name", max_length=4) == "Café"


def test_chinese_names_full_width_spaces_and_middle_dots_pass() -> None:
    assert clean_text("艾力·买买提　先生", field="name", max_length=64) == "艾力·买买提　先生"


def test_over_long_text_names_its_limit() -> None:
    with pytest.raises(DomainError) as caught:
        clean_text("x" * 65, field="name", max_length=64)
    assert caught.value.code is ErrorCode.INPUT_TOO_LONG
    assert caught.value.message("en") == "At most 64 characters"
