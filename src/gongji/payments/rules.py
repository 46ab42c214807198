"""Pure payment rules: what family money may cover, where, and how a bill splits (R13–R18)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from gongji.clock import CHINA
from gongji.errors import DomainError, ErrorCode, bilingual
from gongji.money import format_yuan
from gongji.regions.code import RegionCode
from gongji.regions.policy import RegionPolicy, SharingScope

MAX_ITEMS = 200


class VisitType(enum.Enum):
    """就诊类型 (national med_type)."""

    OUTPATIENT = "11"  # 普通门诊
    CHRONIC_OUTPATIENT = "14"  # 门诊慢特病
    INPATIENT = "21"  # 普通住院
    PHARMACY = "41"  # 定点药店购药


class ItemCategory(enum.Enum):
    """A line item's category. The region's excluded list names the ones family money skips.

    `SELF_PAY` lines are the bill's full self-pay 全自费: they must add up to the declared
    `fulamt_ownpay_amt`, and family money never pays them.
    """

    DRUG = "drug"
    EXAMINATION = "examination"
    TREATMENT = "treatment"
    MATERIAL = "material"
    SERVICE = "service"
    BED = "bed"
    SELF_PAY = "self_pay"  # 自费
    PUBLIC_HEALTH = "public_health"  # 公共卫生
    FITNESS = "fitness"  # 体育健身
    WELLNESS = "wellness"  # 养生保健
    COSMETIC = "cosmetic"  # 医学美容、非功能性整容
    WEIGHT_LOSS = "weight_loss"  # 减肥
    BODYBUILDING = "bodybuilding"  # 健美
    HEALTH_CHECKUP = "health_checkup"  # 健康体检


EXCLUDED_CATEGORIES: tuple[ItemCategory, ...] = (
    ItemCategory.SELF_PAY,
    ItemCategory.PUBLIC_HEALTH,
    ItemCategory.FITNESS,
    ItemCategory.WELLNESS,
    ItemCategory.COSMETIC,
    ItemCategory.WEIGHT_LOSS,
    ItemCategory.BODYBUILDING,
    ItemCategory.HEALTH_CHECKUP,
)
"""R15 as seed 001 lists it: the national policy's excluded list (a region may differ)."""


def family_money_pays(category: ItemCategory) -> bool:
    """Under the national R15 list; the region's policy decides at payment time."""
    return category not in EXCLUDED_CATEGORIES


@dataclass(frozen=True)
class LineItem:
    name: str
    category: ItemCategory
    amount: int


@dataclass(frozen=True)
class BillFigures:
    """The institution's own settlement: total, pooled fund, full self-pay (national names)."""

    visit_type: VisitType
    items: tuple[LineItem, ...]
    medfee_sumamt: int
    hifp_pay: int
    fulamt_ownpay_amt: int


def _invalid(zh: str, en: str, field: str = "items") -> DomainError:
    return DomainError(ErrorCode.BILL_INVALID, field, {"reason": bilingual(zh, en)})


def check_bill(bill: BillFigures) -> None:
    """R14: the figures must add up before anyone can pay."""
    if not 1 <= len(bill.items) <= MAX_ITEMS:
        raise _invalid(f"须有1–{MAX_ITEMS}项明细", f"1–{MAX_ITEMS} line items")
    for item in bill.items:
        if item.amount <= 0 or not 1 <= len(item.name.strip()) <= 128:
            raise _invalid(
                "明细须有名称且金额大于0", "each item needs a name and an amount above 0"
            )
    if sum(i.amount for i in bill.items) != bill.medfee_sumamt:
        raise _invalid("明细合计不等于医疗费总额", "items do not sum to medfeeSumamt")
    if bill.hifp_pay < 0 or bill.fulamt_ownpay_amt < 0:
        raise _invalid("金额不能为负", "amounts cannot be negative", "hifpPay")
    if bill.hifp_pay + bill.fulamt_ownpay_amt > bill.medfee_sumamt:
        raise _invalid(
            "统筹支付与全自费之和超过总额", "hifpPay + fulamtOwnpayAmt exceed the total", "hifpPay"
        )
    itemised = sum(i.amount for i in bill.items if i.category is ItemCategory.SELF_PAY)
    if itemised != bill.fulamt_ownpay_amt:
        raise DomainError(
            ErrorCode.BILL_SELF_PAY_MISMATCH,
            "fulamtOwnpayAmt",
            {"declared": format_yuan(bill.fulamt_ownpay_amt), "itemised": format_yuan(itemised)},
        )


@dataclass(frozen=True)
class Coverage:
    personal_share: int  # psn_part_amt: what the patient bears after the pooled fund
    excluded_amount: int  # not payable with family money (R15)
    excluded_items: tuple[str, ...]
    coverable: int  # the most family money may pay


def coverage(bill: BillFigures, excluded_categories: tuple[str, ...]) -> Coverage:
    """R14, R15, R18: family money covers the personal share less the excluded lines.

    The pooled fund's figure is the institution's (sharing never changes it, R18). The
    excluded lines are the region's excluded categories, and always the SELF_PAY lines
    (which `check_bill` made equal to the declared full self-pay): one reading of the bill,
    however its lines are categorised.
    """
    excluded = [
        i
        for i in bill.items
        if i.category is ItemCategory.SELF_PAY or i.category.name in excluded_categories
    ]
    excluded_amount = sum(i.amount for i in excluded)
    personal_share = bill.medfee_sumamt - bill.hifp_pay
    return Coverage(
        personal_share=personal_share,
        excluded_amount=excluded_amount,
        excluded_items=tuple(i.name for i in excluded),
        coverable=max(0, personal_share - excluded_amount),
    )


_SCOPE_WORDS = {
    SharingScope.CITY: ("本统筹区（市）内", "within the same city"),
    SharingScope.PROVINCE: ("本省内", "within the same province"),
    SharingScope.NATIONWIDE: ("全国", "nationwide"),
}


def check_scope(policy: RegionPolicy, institution_region: str) -> None:
    """R13: the institution's region against the authorizer's insured region, on that date."""
    here, there = RegionCode(policy.region_code), RegionCode(institution_region)
    inside = {
        SharingScope.CITY: there.within(here.city),
        SharingScope.PROVINCE: there.within(here.province),
        SharingScope.NATIONWIDE: True,
    }[policy.sharing_scope]
    if not inside:
        raise DomainError(
            ErrorCode.OUTSIDE_SHARING_SCOPE,
            "billId",
            {"scope": _SCOPE_WORDS[policy.sharing_scope]},
        )


def check_visit_type(visit_type: VisitType, policy: RegionPolicy) -> None:
    """R14: inpatient costs only where the authorizer's region allows them."""
    if visit_type is VisitType.INPATIENT and not policy.inpatient_allowed:
        raise DomainError(ErrorCode.INPATIENT_NOT_ALLOWED, "billId")


def split(cover: Coverage, remaining_quota: int) -> tuple[int, int]:
    """(acct_mulaid_pay, psn_cash_pay): family money up to the remaining quota, cash the rest."""
    if cover.coverable == 0:
        raise DomainError(ErrorCode.BILL_NOT_COVERABLE, "billId")
    if remaining_quota <= 0:
        raise DomainError(ErrorCode.QUOTA_EXHAUSTED, "authorizationId")
    family = min(cover.coverable, remaining_quota)
    return family, cover.personal_share - family


def check_refund(amount: int, paid: int, refunded: int) -> None:
    refundable = paid - refunded
    if amount > refundable:
        raise DomainError(
            ErrorCode.REFUND_EXCEEDS_PAYMENT, "amount", {"refundable": format_yuan(refundable)}
        )


def check_premium_year(year: int, this_year: int) -> None:
    """R16: a resident premium is paid for this year or the next, never a past one."""
    if year not in (this_year, this_year + 1):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "year",
            {"reason": bilingual("只能缴纳本年度或下一年度", "this year or next only")},
        )


def period(
    since: date | None, until: date | None, field: str = "filter.from"
) -> tuple[datetime | None, datetime | None]:
    """Calendar days in China, both inclusive, as a [start, end) range of instants."""
    if since and until and since > until:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            field,
            {"reason": bilingual("开始日期晚于结束日期", "from is after to")},
        )
    start = datetime.combine(since, time(), CHINA) if since else None
    end = datetime.combine(until + timedelta(days=1), time(), CHINA) if until else None
    return start, end


DESK_REASON_MIN = 10


def check_desk_reason(reason: str) -> str:
    """R27: a settlement desk says why it looks a patient up, in at least a sentence."""
    reason = " ".join(reason.split())
    if len(reason.replace(" ", "")) < DESK_REASON_MIN:
        raise DomainError(ErrorCode.DESK_REASON_REQUIRED, "reason", {"min": DESK_REASON_MIN})
    return reason[:255]
