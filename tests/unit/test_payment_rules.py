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


def test_one_reading_of_the_figures_however_lines_are_categorised_r15() -> None:
    """Total 300.00, pooled 180.00, self-pay 20.00 itemised, a 30.00 fitness line: 70.00."""
    figures = bill(
        (ItemCategory.DRUG, 25_000),
        (ItemCategory.SELF_PAY, 2_000),
        (ItemCategory.FITNESS, 3_000),
        fund=18_000,
        self_pay=2_000,
    )
    rules.check_bill(figures)
    cover = rules.coverage(figures, EXCLUDED)
    assert (cover.personal_share, cover.excluded_amount, cover.coverable) == (12_000, 5_000, 7_000)
    assert rules.split(cover, 50_000) == (7_000, 5_000)


def test_self_pay_lines_count_even_where_the_region_does_not_list_them() -> None:
    figures = bill((ItemCategory.DRUG, 8_000), (ItemCategory.SELF_PAY, 2_000), self_pay=2_000)
    assert rules.coverage(figures, ()).coverable == 8_000


@pytest.mark.parametrize(
    ("self_pay", "itemised", "declared_text", "itemised_text"),
    [(2_000, 0, "20.00", "0.00"), (0, 2_000, "0.00", "20.00"), (1_000, 2_000, "10.00", "20.00")],
)
def test_declared_self_pay_must_match_the_self_pay_lines_r15(
    self_pay: int, itemised: int, declared_text: str, itemised_text: str
) -> None:
    lines = [(ItemCategory.DRUG, 28_000), (ItemCategory.FITNESS, 3_000)]
    if itemised:
        lines.append((ItemCategory.SELF_PAY, itemised))
    with pytest.raises(DomainError) as caught:
        rules.check_bill(bill(*lines, fund=18_000, self_pay=self_pay))
    error = caught.value
    assert (error.code, error.field) == (ErrorCode.BILL_SELF_PAY_MISMATCH, "fulamtOwnpayAmt")
    assert declared_text in error.message("en") and itemised_text in error.message("en")
    assert f"{declared_text}元" in error.message("zh")


def test_the_national_policy_excludes_exactly_the_rules_list_r15() -> None:
    national = BOOK.policy_for("110000", date(2026, 3, 1)).excluded_categories
    assert set(national) == {c.name for c in rules.EXCLUDED_CATEGORIES}
    assert not rules.family_money_pays(ItemCategory.FITNESS)
    assert rules.family_money_pays(ItemCategory.DRUG)


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
