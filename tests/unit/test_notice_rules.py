"""What a notice says and when the quota counts as nearly used up: no database."""

from __future__ import annotations

import pytest

from gongji.notices.rules import (
    NoticeKind,
    nearly_used_up,
    texts,
    wechat_retry_delay,
)

USE = {
    "counterpart": "王秀英",
    "institution": "郑州市中心医院",
    "amount": 12000,
    "remaining": 38000,
}


def test_a_use_says_who_where_how_much_and_what_is_left_in_both_languages() -> None:
    zh, en = texts(NoticeKind.AUTHORIZATION_USED, USE)
    assert zh == "王秀英在郑州市中心医院使用共济资金120.00元，额度剩余380.00元"
    assert en == (
        "王秀英 paid 120.00 yuan of your family money at 郑州市中心医院; 380.00 yuan left"
    )


def test_every_kind_has_texts() -> None:
    fields = {
        "counterpart": "张伟",
        "institution": "医院",
        "group": "张家",
        "amount": 1,
        "quota": 100,
        "remaining": 50,
        "rule": "F1",
    }
    for kind in NoticeKind:
        zh, en = texts(kind, fields)
        assert zh and en


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValueError, match="items"):
        texts(NoticeKind.AUTHORIZATION_USED, {**USE, "items": ["阿莫西林"]})


def test_a_refund_to_the_wallet_says_so() -> None:
    fields = {"counterpart": "王秀英", "institution": "医院", "amount": 2000, "to_wallet": True}
    zh, en = texts(NoticeKind.AUTHORIZATION_REFUNDED, fields)
    assert "钱包" in zh and "wallet" in en


@pytest.mark.parametrize(
    ("before", "after", "told"),
    [
        (11000, 9000, True),  # 22 % → 18 %: crosses 20 %
        (11000, 10000, True),  # lands exactly on 20 %
        (9000, 8000, False),  # already under: told before
        (50000, 30000, False),  # far above
        (11000, 0, True),  # used up in one payment
    ],
)
def test_nearly_used_up_only_when_crossing_the_threshold(
    before: int, after: int, told: bool
) -> None:
    assert nearly_used_up(50000, before, after, 20) is told


def test_no_threshold_no_notice() -> None:
    assert nearly_used_up(50000, 11000, 0, 0) is False
    assert nearly_used_up(0, 0, 0, 20) is False


def test_wechat_retries_back_off_and_never_give_up() -> None:
    assert [wechat_retry_delay(n) for n in range(1, 8)] == [10, 60, 300, 1800, 3600, 3600, 3600]
