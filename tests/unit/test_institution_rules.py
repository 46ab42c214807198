from datetime import UTC, datetime, timedelta

import pytest

from gongji.errors import DomainError, ErrorCode
from gongji.institutions import rules
from gongji.institutions.models import InstitutionKind
from gongji.institutions.rules import ApiKeyStatus

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "kind", "region"),
    [
        ("H62010200001", InstitutionKind.HOSPITAL, "620102"),
        (" h41010500002 ", InstitutionKind.HOSPITAL, "410105"),
        ("P65010200003", InstitutionKind.PHARMACY, "650102"),
    ],
)
def test_an_institution_code_carries_its_kind_and_region(
    code: str, kind: InstitutionKind, region: str
) -> None:
    assert rules.parse_institution_code(code) == (kind, region)


@pytest.mark.parametrize(
    "code", ["", "X62010200001", "H6201020000", "H620102000011", "H62010A00001"]
)
def test_a_malformed_institution_code_is_refused(code: str) -> None:
    with pytest.raises(DomainError) as refused:
        rules.parse_institution_code(code)
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_INPUT, "institutionCode")


def test_a_key_is_revoked_before_it_is_expired() -> None:
    past = NOW - timedelta(seconds=1)
    assert rules.key_status(None, None, NOW) is ApiKeyStatus.ACTIVE
    assert rules.key_status(None, NOW + timedelta(days=1), NOW) is ApiKeyStatus.ACTIVE
    assert rules.key_status(None, NOW, NOW) is ApiKeyStatus.EXPIRED
    assert rules.key_status(past, past, NOW) is ApiKeyStatus.REVOKED


def test_a_label_is_trimmed_and_1_to_64_characters() -> None:
    assert rules.check_label("  收费处  ") == "收费处"
    assert rules.check_label("x" * 64) == "x" * 64
    for label in ["", "   ", "x" * 65]:
        with pytest.raises(DomainError) as refused:
            rules.check_label(label)
        assert refused.value.field == "label"


def test_an_expiry_is_optional_and_at_most_ten_years() -> None:
    assert rules.expiry(None, NOW) is None
    assert rules.expiry(1, NOW) == NOW + timedelta(days=1)
    assert rules.expiry(rules.MAX_EXPIRY_DAYS, NOW) == NOW + timedelta(days=3650)
    for days in [0, -1, rules.MAX_EXPIRY_DAYS + 1]:
        with pytest.raises(DomainError) as refused:
            rules.expiry(days, NOW)
        assert refused.value.field == "expiresInDays"


def test_an_institution_holds_at_most_ten_active_keys() -> None:
    rules.check_room_for_key(rules.MAX_ACTIVE_KEYS - 1)
    with pytest.raises(DomainError) as refused:
        rules.check_room_for_key(rules.MAX_ACTIVE_KEYS)
    assert refused.value.code is ErrorCode.API_KEY_LIMIT_REACHED
    assert refused.value.params == {"max": 10}


def test_last_use_is_written_at_most_once_a_minute() -> None:
    assert rules.last_use_is_stale(None, NOW)
    assert not rules.last_use_is_stale(NOW - timedelta(seconds=59), NOW)
    assert rules.last_use_is_stale(NOW - timedelta(minutes=1), NOW)
