from datetime import date

import pytest

from gongji.errors import DomainError, ErrorCode
from gongji.families.rules import Relationship, relationship_between
from gongji.payments import rules
from gongji.payments.rules import BillFigures, ItemCategory, LineItem, VisitType
from gongji.regions.policy import PolicyBook

BOOK = PolicyBook.load()
EXCLUDED = BOOK.policy_for("620100", date(2026, 3, 1)).excluded_categories


def bill(*items: tuple[ItemCategory, int], fund: int = 0, self_pay: int = 0) -> BillFigures:
    line_items = tuple(LineItem(f"item{n}", c, a) for n, (c, a) in enumerate(items))
    return BillFigures(VisitType.OUTPATIENT, line_items, sum(a for _, a in items), fund, self_pay)


def test_family_covers_the_in_policy_personal_share_r14_r18() -> None:
    cover = rules.coverage(bill((ItemCategory.DRUG, 10_000), fund=6_000), EXCLUDED)
    assert (cover.personal_share, cover.coverable, cover.excluded_amount) == (4_000, 4_000, 0)


def test_excluded_categories_go_to_cash_r15() -> None:
    figures = bill((ItemCategory.DRUG, 12_000), (ItemCategory.FITNESS, 8_000), fund=6_000)
    cover = rules.coverage(figures, EXCLUDED)
    assert cover.coverable == 6_000
    assert cover.excluded_items == ("item1",)
    assert rules.split(cover, 50_000) == (6_000, 8_000)


def test_declared_self_pay_counts_once_not_twice() -> None:
    figures = bill((ItemCategory.DRUG, 12_000), (ItemCategory.SELF_PAY, 3_000), self_pay=3_000)
    assert rules.coverage(figures, EXCLUDED).coverable == 12_000


def test_quota_caps_the_family_payment_r11() -> None:
    cover = rules.coverage(bill((ItemCategory.DRUG, 10_000)), EXCLUDED)
    assert rules.split(cover, 2_500) == (2_500, 7_500)
    with pytest.raises(DomainError) as exhausted:
        rules.split(cover, 0)
    assert exhausted.value.code is ErrorCode.QUOTA_EXHAUSTED


def test_a_bill_of_only_excluded_items_is_refused_r15() -> None:
    cover = rules.coverage(bill((ItemCategory.HEALTH_CHECKUP, 30_000)), EXCLUDED)
    with pytest.raises(DomainError) as caught:
        rules.split(cover, 50_000)
    assert caught.value.code is ErrorCode.BILL_NOT_COVERABLE
    assert caught.value.rule == "R15"


@pytest.mark.parametrize(
    ("figures", "field"),
    [
        (BillFigures(VisitType.OUTPATIENT, (), 0, 0, 0), "items"),
        (
            BillFigures(VisitType.OUTPATIENT, (LineItem("a", ItemCategory.DRUG, 100),), 101, 0, 0),
            "items",
        ),
        (
            BillFigures(
                VisitType.OUTPATIENT, (LineItem("a", ItemCategory.DRUG, 100),), 100, 80, 30
            ),
            "hifpPay",
        ),
        (
            BillFigures(VisitType.OUTPATIENT, (LineItem(" ", ItemCategory.DRUG, 100),), 100, 0, 0),
            "items",
        ),
    ],
)
def test_bills_that_do_not_add_up_are_rejected(figures: BillFigures, field: str) -> None:
    with pytest.raises(DomainError) as caught:
        rules.check_bill(figures)
    assert caught.value.code is ErrorCode.BILL_INVALID
    assert caught.value.field == field


def test_sharing_scope_by_region_and_date_r13() -> None:
    urumqi = BOOK.policy_for("650100", date(2026, 3, 1))  # province
    rules.check_scope(urumqi, "650102")
    rules.check_scope(urumqi, "652301")
    with pytest.raises(DomainError) as caught:
        rules.check_scope(urumqi, "440304")
    assert caught.value.code is ErrorCode.OUTSIDE_SHARING_SCOPE
    assert "本省内" in caught.value.message("zh")
    rules.check_scope(BOOK.policy_for("620100", date(2025, 1, 1)), "440304")  # Gansu: nationwide
    with pytest.raises(DomainError):
        rules.check_scope(BOOK.policy_for("620100", date(2024, 12, 31)), "440304")
    with pytest.raises(DomainError):
        rules.check_scope(BOOK.policy_for("620100", date(2022, 6, 1)), "620800")  # city only


R = Relationship


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (None, R.PARENT, R.PARENT),  # creator authorizes their mother
        (R.PARENT, None, R.CHILD),  # the mother authorizes the creator
        (R.SPOUSE, R.CHILD, R.CHILD),  # creator's spouse and their child
        (R.CHILD, R.CHILD, R.SIBLING),
        (R.PARENT, R.CHILD, R.GRANDCHILD),
        (R.SPOUSE, R.PARENT, R.SPOUSE_PARENT),  # an in-law: refused by check_relationship
    ],
)
def test_relationship_through_the_creator(a: R | None, b: R | None, expected: R) -> None:
    assert relationship_between(a, b) is expected


@pytest.mark.parametrize(("a", "b"), [(R.CHILD, R.SIBLING), (R.GRANDPARENT, R.GRANDCHILD)])
def test_ambiguous_relationships_are_refused(a: R, b: R) -> None:
    with pytest.raises(DomainError) as caught:
        relationship_between(a, b)
    assert caught.value.code is ErrorCode.RELATIONSHIP_UNKNOWN
