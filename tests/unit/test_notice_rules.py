"""The notices' texts and thresholds, without a database (gongji.notices.rules)."""

import pytest

from gongji.notices import rules
from gongji.notices.rules import NoticeKind


def test_a_use_tells_who_where_how_much_and_what_is_left_in_both_languages() -> None:
    zh, en = rules.texts(
        NoticeKind.AUTHORIZATION_USED,
        {
            "counterpart": "王秀英",
            "institution": "郑州市第一人民医院",
            "amount": 6000,
            "remaining": 44000,
        },
    )
    assert "王秀英" in zh and "郑州市第一人民医院" in zh and "60.00" in zh and "440.00" in zh
    assert "王秀英" in en and "60.00" in en and "440.00" in en


def test_every_kind_has_a_text() -> None:
    fields = {
        "counterpart": "李娜",
        "institution": "医院",
        "group": "张家",
        "amount": 1,
        "quota": 2,
    }
    for kind in NoticeKind:
        zh, en = rules.texts(kind, {**fields, "quota": 2, "remaining": 1})
        assert zh and en


def test_a_field_outside_the_list_is_refused() -> None:
    with pytest.raises(ValueError, match="line_items"):
        rules.texts(NoticeKind.AUTHORIZATION_USED, {"counterpart": "x", "line_items": ["药"]})


@pytest.mark.parametrize(
    ("before", "after", "told"),
    [
        (50_000, 20_000, False),  # 40 % left: above a 20 % threshold
        (20_000, 10_000, True),  # crosses 20 % (100.00 of 500.00)
        (10_000, 5_000, False),  # already below: told once per crossing
        (10_001, 10_000, True),  # lands exactly on the threshold
    ],
)
def test_nearly_used_up_is_told_once_when_the_threshold_is_crossed(
    before: int, after: int, told: bool
) -> None:
    assert rules.nearly_used_up(50_000, before, after, 20) is told


def test_nothing_is_nearly_used_up_without_a_quota_or_a_threshold() -> None:
    assert not rules.nearly_used_up(0, 0, 0, 20)
    assert not rules.nearly_used_up(50_000, 20_000, 1_000, 0)


def test_a_failed_wechat_message_is_retried_later_and_later_but_never_given_up() -> None:
    delays = [rules.wechat_retry_delay(n) for n in range(1, 8)]
    assert delays == sorted(delays) and delays[0] == 10 and delays[-1] == 3600
